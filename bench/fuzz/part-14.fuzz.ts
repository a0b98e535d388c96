import { fuzzPart } from "./fuzzer";

/** Part 14 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(14);
