import { fuzzPart } from "./fuzzer";

/** Part 08 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(8);
