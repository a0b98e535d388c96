import { fuzzPart } from "./runner";

/** Part 14 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(14);
