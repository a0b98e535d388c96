import { fuzzPart } from "./runner";

/** Part 09 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(9);
