import { describe, expect, it } from "vitest";
import { QUICK } from "../../../bench/stats/cells";
import { monteCarloAllowance, runBatch } from "../../../bench/stats/run";

/**
 * The fast subset of the calibration grid (`npm run bench:stats`): two- and three-title tests
 * with bursty hours, lost slots and a pause, analysed after every block for 14 days, with fixed
 * seeds. A cell fails when its A/A false-winner rate exceeds 5 % plus the one-sided 99 % Monte
 * Carlo allowance of its run count (2.326 standard errors: 3.7 points at 180 runs), so
 * a failure means the engine is miscalibrated, not that the seeds were unlucky.
 */
const RUNS = 180;
const ALPHA = 0.05;

describe("calibration subset: A/A tests monitored after every block", () => {
  for (const [index, cell] of QUICK.entries()) {
    it(`keeps false winners within 5 % (+ Monte Carlo error): ${cell.name}`, { timeout: 120_000 }, () => {
      const result = runBatch(cell, 0, RUNS, 7_000_000 + 10_000 * index);
      expect(result.found).toBe(0);
      expect(result.wrong).toBeLessThanOrEqual(ALPHA + monteCarloAllowance(ALPHA, RUNS));
    });
  }

  it("still finds a +50 % title in the typical two-title test, naming no wrong one", {
    timeout: 60_000,
  }, () => {
    const cell = QUICK[0];
    if (cell === undefined) throw new Error("no quick cell");
    const result = runBatch(cell, 0.5, 60, 8_000_000);
    expect(result.found).toBeGreaterThanOrEqual(0.8);
    expect(result.wrong).toBe(0);
  });
});
