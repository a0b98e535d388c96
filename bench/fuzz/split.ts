/**
 * How a run's requests are split over the part files (bench/fuzz/part-NN.fuzz.ts): read by
 * bench/fuzz.config.ts (in Node, to pick the part files) and bench/fuzz/runner.ts (in workerd, to
 * size each part), so both agree.
 */

/** Part files: each is a fresh workerd runtime (see `fuzzPart` in runner.ts). */
const PARTS = 20;

/** Requests per part: the total over `PARTS` parts, but at least 250 (a short run uses fewer parts). */
export function perPart(total: number): number {
  return Math.max(250, Math.ceil(total / PARTS));
}

/** How many part files carry requests (never more than `PARTS`, as `perPart` is at least total / PARTS). */
export function partsFor(total: number): number {
  return Math.ceil(total / perPart(total));
}
