import { fuzzPart } from "./runner";

/** Part 01 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(1);
