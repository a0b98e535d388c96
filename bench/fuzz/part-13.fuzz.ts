import { fuzzPart } from "./runner";

/** Part 13 of the bad-input fuzzer (see bench/fuzz/runner.ts). */
fuzzPart(13);
