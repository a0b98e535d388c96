import { fuzzPart } from "./runner";

/** Part 16 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(16);
