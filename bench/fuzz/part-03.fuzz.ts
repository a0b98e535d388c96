import { fuzzPart } from "./runner";

/** Part 03 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(3);
