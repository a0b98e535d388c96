import { fuzzPart } from "./fuzzer";

/** Part 16 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(16);
