import { fuzzPart } from "./fuzzer";

/** Part 01 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(1);
