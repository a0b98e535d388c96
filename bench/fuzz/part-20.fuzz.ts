import { fuzzPart } from "./fuzzer";

/** Part 20 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(20);
