import { fuzzPart } from "./fuzzer";

/** Part 10 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(10);
