import { fuzzPart } from "./fuzzer";

/** Part 07 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(7);
