import { fuzzPart } from "./fuzzer";

/** Part 02 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(2);
