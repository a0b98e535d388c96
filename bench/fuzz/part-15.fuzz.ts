import { fuzzPart } from "./runner";

/** Part 15 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(15);
