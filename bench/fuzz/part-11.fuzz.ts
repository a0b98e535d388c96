import { fuzzPart } from "./runner";

/** Part 11 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(11);
