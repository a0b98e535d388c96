import { fuzzPart } from "./runner";

/** Part 20 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(20);
