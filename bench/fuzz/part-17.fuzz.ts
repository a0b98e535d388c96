import { fuzzPart } from "./fuzzer";

/** Part 17 of the bad-input fuzzer (see bench/fuzz/fuzzer.ts). */
fuzzPart(17);
