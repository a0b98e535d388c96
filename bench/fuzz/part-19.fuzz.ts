import { fuzzPart } from "./runner";

/** Part 19 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(19);
