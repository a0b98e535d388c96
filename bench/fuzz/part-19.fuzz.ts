import { fuzzPart } from "./fuzzer";

/** Part 19 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(19);
