import { fuzzPart } from "./runner";

/** Part 08 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(8);
