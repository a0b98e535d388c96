import { fuzzPart } from "./fuzzer";

/** Part 13 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(13);
