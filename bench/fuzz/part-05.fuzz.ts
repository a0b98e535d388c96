import { fuzzPart } from "./runner";

/** Part 05 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(5);
