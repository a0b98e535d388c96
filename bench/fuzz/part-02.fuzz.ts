import { fuzzPart } from "./runner";

/** Part 02 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(2);
