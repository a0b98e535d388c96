import { fuzzPart } from "./runner";

/** Part 06 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(6);
