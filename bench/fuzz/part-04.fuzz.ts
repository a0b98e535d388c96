import { fuzzPart } from "./runner";

/** Part 04 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(4);
