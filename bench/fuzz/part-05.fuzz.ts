import { fuzzPart } from "./fuzzer";

/** Part 05 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(5);
