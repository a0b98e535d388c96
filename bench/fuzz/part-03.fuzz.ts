import { fuzzPart } from "./fuzzer";

/** Part 03 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(3);
