import { fuzzPart } from "./fuzzer";

/** Part 15 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(15);
