import { fuzzPart } from "./fuzzer";

/** Part 12 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(12);
