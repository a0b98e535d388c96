import { fuzzPart } from "./fuzzer";

/** Part 18 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(18);
