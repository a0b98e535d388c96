import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Analysis, Slot } from "../../../worker/stats/analyze";
import { analyze } from "../../../worker/stats/analyze";

const Z_95 = 1.959963984540054;

/** Slots of a block, one per variant in order. */
function block(id: number, counts: number[], exposures: number[] = counts.map(() => 1)): Slot[] {
  return counts.map((count, variant) => ({ variant, block: id, count, exposure: exposures[variant] ?? 1 }));
}

/** Every number of an analysis, for NaN and finiteness checks. */
function numbers(analysis: Analysis): number[] {
  return [
    analysis.pValue,
    analysis.blocksComplete,
    ...analysis.variants.flatMap((v) => [
      v.count,
      v.exposure,
      v.rate,
      v.lift,
      v.liftLow,
      v.liftHigh,
      v.pBest,
    ]),
  ];
}

describe("analyze: estimates", () => {
  it("reports lift y1/y0 − 1 with its Wald interval for one block of two variants", () => {
    const result = analyze(2, block(0, [40, 60]));
    const control = result.variants[0];
    const challenger = result.variants[1];
    expect(control).toMatchObject({
      variant: 0,
      count: 40,
      exposure: 1,
      rate: 40,
      lift: 0,
      liftLow: 0,
      liftHigh: 0,
    });
    expect(challenger?.lift).toBeCloseTo(0.5, 12);
    const se = Math.sqrt(1 / 40 + 1 / 60);
    expect(challenger?.liftLow).toBeCloseTo(1.5 * Math.exp(-Z_95 * se) - 1, 12);
    expect(challenger?.liftHigh).toBeCloseTo(1.5 * Math.exp(Z_95 * se) - 1, 12);
  });

  it("adjusts for time: a challenger live only at busy hours is not credited for them", () => {
    // Raw totals favour variant 1 (it got the big block), but within each block it does worse.
    const slots = [...block(0, [10, 8]), ...block(1, [1000, 800]), ...block(2, [50, 40])];
    const result = analyze(2, slots);
    expect(result.variants[1]?.rate).toBeGreaterThan(0);
    expect(result.variants[1]?.lift).toBeCloseTo(-0.2, 10);
  });

  it("reports rates as count per exposure and 0 before any exposure", () => {
    const result = analyze(3, [...block(0, [10, 30], [2, 3])]);
    expect(result.variants.map((v) => v.rate)).toEqual([5, 10, 0]);
  });

  it("gives probabilities to be best that sum to 1 and favour the clearly better variant", () => {
    const slots = [0, 1, 2, 3].flatMap((b) => block(b, [100 + b, 130 - b, 98 + 2 * b]));
    const result = analyze(3, slots);
    const total = result.variants.reduce((sum, v) => sum + v.pBest, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(result.variants[1]?.pBest).toBeGreaterThan(0.9);
  });

  it("is deterministic, including the Monte Carlo", () => {
    const slots = [0, 1, 2].flatMap((b) => block(b, [20 + b, 22, 21 - b]));
    expect(analyze(3, slots)).toEqual(analyze(3, slots));
  });

  it("does not depend on slot order or on how blocks are numbered", () => {
    const slots = [0, 1, 2, 3].flatMap((b) => block(b, [20 + 3 * b, 25 + b, 18 + 2 * b]));
    const shuffled = [...slots].reverse().map((s) => ({ ...s, block: 1000 - 7 * s.block }));
    const a = analyze(3, slots);
    const b = analyze(3, shuffled);
    expect(b.decision).toBe(a.decision);
    expect(b.blocksComplete).toBe(a.blocksComplete);
    const an = numbers(a);
    for (const [i, value] of numbers(b).entries()) expect(value).toBeCloseTo(an[i] ?? Number.NaN, 9);
  });

  it("ignores an incomplete last block with a single variant, except in the totals", () => {
    const complete = [0, 1, 2].flatMap((b) => block(b, [30 + b, 36, 29]));
    const withTail = [...complete, { variant: 2, block: 3, count: 400, exposure: 1 }];
    const a = analyze(3, complete);
    const b = analyze(3, withTail);
    expect(b.pValue).toBeCloseTo(a.pValue, 12);
    expect(b.blocksComplete).toBe(3);
    expect(b.variants[2]?.lift).toBeCloseTo(a.variants[2]?.lift ?? Number.NaN, 12);
    expect(b.variants[2]?.count).toBe((a.variants[2]?.count ?? 0) + 400);
  });

  it("counts a block as complete only when every variant had exposure in it", () => {
    const slots = [
      ...block(0, [5, 6, 7]),
      ...block(1, [5, 6, 0], [1, 1, 0]), // variant 2 never went live
      ...block(2, [5, 6]),
      ...block(3, [0, 0, 0]), // live but no views: still complete
    ];
    expect(analyze(3, slots).blocksComplete).toBe(2);
  });
});

describe("analyze: zero counts and sparse data", () => {
  it("stays finite with a variant that never got a view", () => {
    const result = analyze(
      3,
      [0, 1, 2].flatMap((b) => block(b, [20, 25, 0])),
    );
    for (const value of numbers(result)) expect(Number.isFinite(value)).toBe(true);
    expect(result.variants[2]?.lift).toBeLessThan(-0.8);
  });

  it("reports no evidence for no data and for all-zero counts", () => {
    for (const slots of [[], [0, 1].flatMap((b) => block(b, [0, 0]))]) {
      const result = analyze(2, slots);
      for (const value of numbers(result)) expect(Number.isFinite(value)).toBe(true);
      expect(result.pValue).toBe(1);
      expect(result.decision).toBe("collecting");
      expect(result.variants[1]?.lift).toBe(0);
    }
  });

  it("never produces NaN or infinities for arbitrary valid slots", () => {
    const slotArbitrary = (k: number) =>
      fc
        .record({
          variant: fc.integer({ min: 0, max: k - 1 }),
          block: fc.integer({ min: 0, max: 6 }),
          count: fc.integer({ min: 0, max: 60 }),
          exposure: fc.constantFrom(0, 0.25, 1, 3),
        })
        .map((s) => (s.exposure === 0 ? { ...s, count: 0 } : s));
    const input = fc
      .integer({ min: 2, max: 5 })
      .chain((k) => fc.tuple(fc.constant(k), fc.array(slotArbitrary(k), { maxLength: 40 })));
    fc.assert(
      fc.property(input, ([k, slots]) => {
        const result = analyze(k, slots, { draws: 200 });
        for (const value of numbers(result)) expect(Number.isFinite(value)).toBe(true);
        expect(result.variants.reduce((sum, v) => sum + v.pBest, 0)).toBeCloseTo(1, 9);
        expect(result.pValue).toBeGreaterThanOrEqual(0);
        expect(result.pValue).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300, seed: 20240611 },
    );
  });
});

describe("analyze: decisions", () => {
  const strong = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((b) => block(b, [100, 200]));

  it("declares the clearly better challenger the winner", () => {
    const result = analyze(2, strong);
    expect(result.decision).toBe("winner");
    expect(result.winner).toBe(1);
    expect(result.pValue).toBeLessThan(1e-4);
  });

  it("declares the control the winner when it beats every challenger", () => {
    const slots = [0, 1, 2, 3, 4, 5].flatMap((b) => block(b, [300, 150, 160]));
    const result = analyze(3, slots);
    expect(result.decision).toBe("winner");
    expect(result.winner).toBe(0);
  });

  it("does not declare a winner that beats only some rivals", () => {
    // Variants 1 and 2 are equally good and both beat the control.
    const slots = [0, 1, 2, 3, 4, 5].flatMap((b) => block(b, [150, 300, 300]));
    const result = analyze(3, slots);
    expect(result.decision).toBe("collecting");
    expect(result.winner).toBeNull();
  });

  it("waits for the minimum number of complete blocks, however strong the evidence", () => {
    const oneBlock = block(0, [100, 10000]);
    expect(analyze(2, oneBlock).decision).toBe("collecting");
    expect(analyze(2, strong.slice(0, 4), { minBlocks: 3 }).decision).toBe("collecting");
  });

  it("discounts evidence while the dispersion rests on few residual degrees of freedom", () => {
    // A 2:1 ratio on 300 views a block is z ≈ 8 under Poisson, but two blocks of two slots
    // leave one residual df to tell Poisson noise from bursts; ten blocks leave nine.
    const twoBlocks = analyze(2, [...block(0, [100, 200]), ...block(1, [100, 200])]);
    expect(twoBlocks.blocksComplete).toBe(2);
    expect(twoBlocks.decision).toBe("collecting");
    // One-sided, so about half the two-sided value for the same evidence; still far from 0.05.
    expect(twoBlocks.pValue).toBeGreaterThan(0.25);
    expect(analyze(2, strong).decision).toBe("winner");
  });

  it("says inconclusive at the end when there is neither a winner nor equivalence", () => {
    const slots = [0, 1, 2].flatMap((b) => block(b, [30, 33]));
    expect(analyze(2, slots).decision).toBe("collecting");
    const final = analyze(2, slots, { final: true });
    expect(final.decision).toBe("inconclusive");
    expect(final.winner).toBeNull();
  });

  it("says same when every lift interval lies within ±5 %", () => {
    const slots = Array.from({ length: 20 }, (_, b) =>
      block(b, [5000 + (b % 3), 5000 - (b % 2), 5001]),
    ).flat();
    const result = analyze(3, slots);
    expect(result.decision).toBe("same");
    for (const v of result.variants) {
      expect(v.liftLow).toBeGreaterThanOrEqual(-0.05);
      expect(v.liftHigh).toBeLessThanOrEqual(0.05);
    }
  });

  it("is stricter with a smaller alpha", () => {
    const slots = [0, 1, 2, 3, 4, 5].flatMap((b) => block(b, [100 + (b % 2) * 6, 132 - (b % 3) * 5]));
    // p ≈ 0.13: a winner at alpha 0.3 (each rival at alpha/K = 0.15), not at 1e-6.
    const loose = analyze(2, slots, { alpha: 0.3 });
    const strict = analyze(2, slots, { alpha: 1e-6 });
    expect(loose.pValue).toBe(strict.pValue);
    expect(loose.decision).toBe("winner");
    expect(strict.decision).toBe("collecting");
  });
});

describe("analyze: bad input", () => {
  const valid = block(0, [1, 2]);
  it.each([
    ["fewer than two variants", () => analyze(1, [])],
    ["a fractional variant count", () => analyze(2.5, [])],
    ["a variant out of range", () => analyze(2, [...valid, { variant: 2, block: 0, count: 1, exposure: 1 }])],
    ["a negative variant", () => analyze(2, [{ variant: -1, block: 0, count: 1, exposure: 1 }])],
    ["a fractional block", () => analyze(2, [{ variant: 0, block: 0.5, count: 1, exposure: 1 }])],
    ["a negative count", () => analyze(2, [{ variant: 0, block: 0, count: -1, exposure: 1 }])],
    ["a NaN count", () => analyze(2, [{ variant: 0, block: 0, count: Number.NaN, exposure: 1 }])],
    [
      "an infinite exposure",
      () => analyze(2, [{ variant: 0, block: 0, count: 1, exposure: Number.POSITIVE_INFINITY }]),
    ],
    ["a count without exposure", () => analyze(2, [{ variant: 0, block: 0, count: 3, exposure: 0 }])],
    ["alpha of 0", () => analyze(2, valid, { alpha: 0 })],
    ["a negative tau", () => analyze(2, valid, { tau: -0.1 })],
    ["minBlocks of 0", () => analyze(2, valid, { minBlocks: 0 })],
    ["zero draws", () => analyze(2, valid, { draws: 0 })],
  ])("throws a RangeError for %s", (_, call) => {
    expect(call).toThrow(RangeError);
  });

  it("names the offending slot", () => {
    expect(() => analyze(3, [...valid, { variant: 7, block: 1, count: 1, exposure: 1 }])).toThrow(
      /slot 2: variant/,
    );
  });
});
