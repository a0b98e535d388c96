import { fuzzPart } from "./runner";

/** Part 17 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(17);
