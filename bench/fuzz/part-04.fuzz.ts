import { fuzzPart } from "./fuzzer";

/** Part 04 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(4);
