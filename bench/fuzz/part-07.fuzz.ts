import { fuzzPart } from "./runner";

/** Part 07 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(7);
