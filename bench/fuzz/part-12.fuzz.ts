import { fuzzPart } from "./runner";

/** Part 12 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(12);
