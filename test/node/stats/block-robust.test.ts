import { describe, expect, it } from "vitest";
import { winnerLevel } from "../../../worker/stats/analyze";
import { contrastVariance, fitSwitchback } from "../../../worker/stats/block-robust";
import type { BlockTable } from "../../../worker/stats/conditional-poisson";

/** A block table of two titles, one slot each per block, exposure 1. */
function table(rows: [number, number][]): BlockTable {
  return {
    exposure: Float64Array.from(rows.flatMap(() => [1, 1])),
    count: Float64Array.from(rows.flat()),
    total: Float64Array.from(rows.map(([a, b]) => a + b)),
    blocks: rows.length,
  };
}

describe("fitSwitchback", () => {
  it("measures the spread between blocks: bursty contrasts give a variance far above Poisson", () => {
    // Block contrasts swing ±50 % around an even split: far more than counting noise.
    const rows = Array.from({ length: 20 }, (_, b): [number, number] =>
      b % 2 === 0 ? [300, 100] : [100, 300],
    );
    const fit = fitSwitchback(2, table(rows));
    expect(fit.beta[1]).toBeCloseTo(0, 6);
    expect(fit.df).toBe(19);
    // Poisson: 1/4000 + 1/4000. Between blocks: scores ±100 over an information of 2000,
    // 20 · 100² / 2000² · 20/19 ≈ 0.053, a hundred times more.
    expect(contrastVariance(fit, 2, 1, 0)).toBeCloseTo(((20 * 100 ** 2) / 2000 ** 2) * (20 / 19), 3);
    expect(fit.burstiness).toBeGreaterThan(0);
  });

  it("keeps the Poisson variance as the floor when blocks agree better than counting noise", () => {
    const rows = Array.from({ length: 10 }, (): [number, number] => [100, 100]);
    const fit = fitSwitchback(2, table(rows));
    // Poisson variance of log(1000/1000): 1/1000 + 1/1000.
    expect(contrastVariance(fit, 2, 1, 0)).toBeCloseTo(2 / 1000, 8);
  });

  it("has no df (and so allows no decision) with no more blocks than ratios", () => {
    expect(fitSwitchback(2, table([[10, 20]])).df).toBe(0);
  });

  it("ignores blocks without events or with a single exposed title", () => {
    const base = table([
      [30, 50],
      [40, 45],
      [35, 60],
    ]);
    const padded: BlockTable = {
      exposure: Float64Array.from([...base.exposure, 1, 1, 1, 0]),
      count: Float64Array.from([...base.count, 0, 0, 80, 0]),
      total: Float64Array.from([...base.total, 0, 80]),
      blocks: 5,
    };
    const a = fitSwitchback(2, base);
    const b = fitSwitchback(2, padded);
    expect(b.beta[1]).toBeCloseTo(a.beta[1] as number, 10);
    expect(b.df).toBe(a.df);
    expect(contrastVariance(b, 2, 1, 0)).toBeCloseTo(contrastVariance(a, 2, 1, 0), 10);
  });
});

describe("winnerLevel", () => {
  it("is alpha/K, so that an A/A test names a winner with probability at most alpha", () => {
    expect(winnerLevel(0.05, 2)).toBeCloseTo(0.025, 12);
    expect(winnerLevel(0.05, 5)).toBeCloseTo(0.01, 12);
  });
});
