import { describe, expect, it } from "vitest";
import type { Slot } from "../../../worker/stats/conditional-poisson";
import { fitBlockTable, tabulateBlocks } from "../../../worker/stats/conditional-poisson";

/** Slots of a block, one per variant in order, from counts and exposures. */
function block(id: number, counts: number[], exposures: number[] = counts.map(() => 1)): Slot[] {
  return counts.map((count, variant) => ({ variant, block: id, count, exposure: exposures[variant] ?? 1 }));
}

/** The conditional-Poisson fit of slots, as analyze() builds it. */
function fitSlots(k: number, slots: Slot[]) {
  return fitBlockTable(k, tabulateBlocks(k, slots));
}

describe("conditional-Poisson fit of a block table", () => {
  it("recovers log(y1/y0) from one block of two equally exposed variants, with binomial variance", () => {
    const result = fitSlots(2, block(0, [40, 60]));
    expect(result.beta[0]).toBe(0);
    expect(result.beta[1]).toBeCloseTo(Math.log(60 / 40), 12);
    // The inverse information is 1/y0 + 1/y1.
    expect(result.inverse[0]).toBeCloseTo(1 / 40 + 1 / 60, 12);
    expect(result.penalised).toBe(false);
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
    const result = fitSlots(
      2,
      counts.flatMap((c, b) => block(b, c, [2, 1])),
    );
    const y0 = 30 + 50 + 12 + 80;
    const y1 = 20 + 10 + 15 + 45;
    expect(result.beta[1]).toBeCloseTo(Math.log(y1 / 4 / (y0 / 8)), 10);
    expect(result.inverse[0]).toBeCloseTo(1 / y0 + 1 / y1, 10);
  });

  it("gets the ratios exact for counts proportional to the model", () => {
    // Block levels differ wildly (the block effect), ratios are 1 : 1.5 : 2 everywhere.
    const result = fitSlots(3, [
      ...block(0, [10, 15, 20]),
      ...block(1, [20, 30, 40]),
      ...block(2, [300, 450, 600]),
      ...block(3, [20, 15, 10], [2, 1, 0.5]),
    ]);
    expect(result.beta[1]).toBeCloseTo(Math.log(1.5), 10);
    expect(result.beta[2]).toBeCloseTo(Math.log(2), 10);
  });

  it("is unchanged when a block's exposures are all scaled (the block effect absorbs it)", () => {
    const base = [...block(0, [10, 14, 9], [1, 1, 1]), ...block(1, [30, 41, 25], [1, 1, 2])];
    const scaled = [...block(0, [10, 14, 9], [5, 5, 5]), ...block(1, [30, 41, 25], [0.1, 0.1, 0.2])];
    const a = fitSlots(3, base);
    const b = fitSlots(3, scaled);
    for (let i = 0; i < 4; i++) expect(b.inverse[i]).toBeCloseTo(a.inverse[i] ?? Number.NaN, 12);
    for (let v = 0; v < 3; v++) expect(b.beta[v]).toBeCloseTo(a.beta[v] ?? Number.NaN, 12);
  });

  it("tabulates only blocks with two exposed variants and events", () => {
    const informative = [...block(0, [20, 30]), ...block(1, [25, 35])];
    const withNoise = [
      ...informative,
      { variant: 1, block: 2, count: 500, exposure: 1 }, // incomplete last block: one variant
      ...block(3, [0, 0]), // no events
      { variant: 0, block: 4, count: 0, exposure: 0 },
      { variant: 1, block: 4, count: 7, exposure: 1 }, // the other variant had no exposure
    ];
    expect(tabulateBlocks(2, withNoise)).toEqual(tabulateBlocks(2, informative));
    expect(tabulateBlocks(2, withNoise).blocks).toBe(2);
    expect(fitSlots(2, withNoise).beta[1]).toBeCloseTo(fitSlots(2, informative).beta[1] ?? Number.NaN, 12);
  });

  it("falls back to a weak prior, finite and flagged, when a variant never gets a count", () => {
    const result = fitSlots(3, [...block(0, [20, 25, 0]), ...block(1, [30, 28, 0])]);
    expect(result.penalised).toBe(true);
    expect(result.beta[2]).toBeLessThan(-2);
    for (const value of [...result.beta, ...result.inverse]) expect(Number.isFinite(value)).toBe(true);
  });

  it("returns β = 0 with the prior variance when there is no information at all", () => {
    const result = fitSlots(2, []);
    expect(result.penalised).toBe(true);
    expect(result.beta[1]).toBe(0);
    expect(result.inverse[0]).toBeCloseTo(4, 12);
  });

  it("gives the same estimate from a previous look's start as from zero", () => {
    const table = tabulateBlocks(3, [...block(0, [10, 14, 9]), ...block(1, [30, 41, 25], [1, 1, 2])]);
    const cold = fitBlockTable(3, table);
    const warm = fitBlockTable(3, table, Float64Array.from([0, 0.5, -0.5]));
    for (let v = 0; v < 3; v++) expect(warm.beta[v]).toBeCloseTo(cold.beta[v] ?? Number.NaN, 9);
  });
});
