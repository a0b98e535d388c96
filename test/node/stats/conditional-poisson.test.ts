import { describe, expect, it } from "vitest";
import type { Slot } from "../../../worker/stats/conditional-poisson";
import { fitConditionalPoisson } from "../../../worker/stats/conditional-poisson";

/** Slots of a block, one per variant in order, from counts and exposures. */
function block(id: number, counts: number[], exposures: number[] = counts.map(() => 1)): Slot[] {
  return counts.map((count, variant) => ({ variant, block: id, count, exposure: exposures[variant] ?? 1 }));
}

describe("fitConditionalPoisson", () => {
  it("recovers log(y1/y0) from one block of two equally exposed variants, with binomial variance", () => {
    const fit = fitConditionalPoisson(2, block(0, [40, 60]));
    expect(fit.beta[0]).toBe(0);
    expect(fit.beta[1]).toBeCloseTo(Math.log(60 / 40), 12);
    // No residual df: φ stays 1 and the variance is the inverse information 1/y0 + 1/y1.
    expect(fit.residualDf).toBe(0);
    expect(fit.dispersion).toBe(1);
    expect(fit.covariance[3]).toBeCloseTo(1 / 40 + 1 / 60, 12);
    expect(fit.penalised).toBe(false);
  });

  it("equals the pooled 2×2 rate ratio when exposures are proportional in every block", () => {
    // Within every block the control has twice the exposure of the challenger, so the
    // conditional likelihood is one binomial with p = e^β/(2 + e^β) over all blocks.
    const counts = [
      [30, 20],
      [50, 10],
      [12, 15],
      [80, 45],
    ];
    const slots = counts.flatMap((c, b) => block(b, c, [2, 1]));
    const fit = fitConditionalPoisson(2, slots);
    const y0 = 30 + 50 + 12 + 80;
    const y1 = 20 + 10 + 15 + 45;
    expect(fit.beta[1]).toBeCloseTo(Math.log(y1 / 4 / (y0 / 8)), 10);

    // Pearson X² by hand: within block b the challenger's expected share is the pooled y1/(y0+y1).
    const share = y1 / (y0 + y1);
    let chiSquare = 0;
    for (const [a, b] of counts as [number, number][]) {
      const n = a + b;
      chiSquare += (b - n * share) ** 2 / (n * share) + (a - n * (1 - share)) ** 2 / (n * (1 - share));
    }
    const df = 8 - 4 - 1;
    expect(fit.residualDf).toBe(df);
    expect(fit.pearsonChiSquare).toBeCloseTo(chiSquare, 9);
    expect(chiSquare / df).toBeGreaterThan(1); // over-dispersed, so φ is really estimated
    expect(fit.dispersion).toBeCloseTo(chiSquare / df, 9);
    expect(fit.covariance[3]).toBeCloseTo((chiSquare / df) * (1 / y0 + 1 / y1), 10);
  });

  it("keeps the dispersion at 1 and the ratios exact for counts proportional to the model", () => {
    // Block levels differ wildly (the block effect), ratios are 1 : 1.5 : 2 everywhere.
    const slots = [
      ...block(0, [10, 15, 20]),
      ...block(1, [20, 30, 40]),
      ...block(2, [300, 450, 600]),
      ...block(3, [20, 15, 10], [2, 1, 0.5]),
    ];
    const fit = fitConditionalPoisson(3, slots);
    expect(fit.beta[1]).toBeCloseTo(Math.log(1.5), 10);
    expect(fit.beta[2]).toBeCloseTo(Math.log(2), 10);
    expect(fit.pearsonChiSquare).toBeCloseTo(0, 10);
    expect(fit.dispersion).toBe(1);
    expect(fit.residualDf).toBe(12 - 4 - 2);
  });

  it("inflates the covariance by the Pearson dispersion for over-dispersed counts", () => {
    const slots = [
      ...block(0, [10, 40]),
      ...block(1, [40, 10]),
      ...block(2, [12, 38]),
      ...block(3, [35, 15]),
    ];
    const fit = fitConditionalPoisson(2, slots);
    expect(fit.dispersion).toBeGreaterThan(5);
    expect(fit.dispersion).toBeCloseTo(fit.pearsonChiSquare / fit.residualDf, 12);
  });

  it("is unchanged when a block's exposures are all scaled (the block effect absorbs it)", () => {
    const base = [...block(0, [10, 14, 9], [1, 1, 1]), ...block(1, [30, 41, 25], [1, 1, 2])];
    const scaled = [...block(0, [10, 14, 9], [5, 5, 5]), ...block(1, [30, 41, 25], [0.1, 0.1, 0.2])];
    const a = fitConditionalPoisson(3, base);
    const b = fitConditionalPoisson(3, scaled);
    for (let i = 0; i < 9; i++) expect(b.covariance[i]).toBeCloseTo(a.covariance[i] ?? Number.NaN, 12);
    for (let v = 0; v < 3; v++) expect(b.beta[v]).toBeCloseTo(a.beta[v] ?? Number.NaN, 12);
  });

  it("uses only blocks with two exposed variants and events", () => {
    const informative = [...block(0, [20, 30]), ...block(1, [25, 35])];
    const withNoise = [
      ...informative,
      { variant: 1, block: 2, count: 500, exposure: 1 }, // incomplete last block: one variant
      ...block(3, [0, 0]), // no events
      { variant: 0, block: 4, count: 0, exposure: 0 },
      { variant: 1, block: 4, count: 7, exposure: 1 }, // the other variant had no exposure
    ];
    const a = fitConditionalPoisson(2, informative);
    const b = fitConditionalPoisson(2, withNoise);
    expect(b.blocksUsed).toBe(2);
    expect(b.slotsUsed).toBe(4);
    expect(b.beta[1]).toBeCloseTo(a.beta[1] ?? Number.NaN, 12);
  });

  it("falls back to a weak prior, finite and flagged, when a variant never gets a count", () => {
    const fit = fitConditionalPoisson(3, [...block(0, [20, 25, 0]), ...block(1, [30, 28, 0])]);
    expect(fit.penalised).toBe(true);
    expect(fit.beta[2]).toBeLessThan(-2);
    for (const value of [...fit.beta, ...fit.covariance, fit.dispersion])
      expect(Number.isFinite(value)).toBe(true);
  });

  it("returns β = 0 with the prior variance when there is no information at all", () => {
    const fit = fitConditionalPoisson(2, []);
    expect(fit.penalised).toBe(true);
    expect(fit.beta[1]).toBe(0);
    expect(fit.covariance[3]).toBeCloseTo(4, 12);
  });
});
