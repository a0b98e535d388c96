import { fuzzPart } from "./runner";

/** Part 18 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(18);
