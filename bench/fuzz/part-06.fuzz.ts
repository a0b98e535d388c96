import { fuzzPart } from "./fuzzer";

/** Part 06 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(6);
