import { fuzzPart } from "./fuzzer";

/** Part 11 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(11);
