import { fuzzPart } from "./fuzzer";

/** Part 09 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(9);
