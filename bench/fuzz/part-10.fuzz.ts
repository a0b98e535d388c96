import { fuzzPart } from "./runner";

/** Part 10 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(10);
