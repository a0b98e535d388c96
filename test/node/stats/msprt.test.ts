import { describe, expect, it } from "vitest";
import {
  alwaysValidPValue,
  mixtureLogLikelihoodRatio,
  oneSidedAlwaysValidPValue,
  oneSidedBoundaryScore,
  oneSidedMixtureLogLikelihoodRatio,
} from "../../../worker/stats/msprt";

describe("mixture SPRT", () => {
  it("matches the closed form of the normal mixture likelihood ratio", () => {
    const [theta, v, tau] = [0.3, 0.01, 0.2];
    const lambda =
      Math.sqrt(v / (v + tau ** 2)) * Math.exp((theta ** 2 * tau ** 2) / (2 * v * (v + tau ** 2)));
    expect(mixtureLogLikelihoodRatio(theta, v, tau)).toBeCloseTo(Math.log(lambda), 12);
    expect(alwaysValidPValue(theta, v, tau)).toBeCloseTo(1 / lambda, 12);
  });

  it("gives p = 1 without an effect and is symmetric in the sign of the estimate", () => {
    expect(alwaysValidPValue(0, 0.01, 0.2)).toBe(1);
    expect(alwaysValidPValue(-0.25, 0.01, 0.2)).toBe(alwaysValidPValue(0.25, 0.01, 0.2));
  });

  it("needs more evidence than a fixed-sample test: z = 1.96 is far from significant", () => {
    const v = 0.01;
    expect(alwaysValidPValue(1.96 * Math.sqrt(v), v, 0.2)).toBeGreaterThan(0.3);
    expect(alwaysValidPValue(5 * Math.sqrt(v), v, 0.2)).toBeLessThan(0.01);
  });

  it("does not overflow on overwhelming evidence", () => {
    expect(alwaysValidPValue(10, 1e-6, 0.2)).toBe(0);
  });

  it("treats a missing or degenerate variance as no evidence", () => {
    expect(alwaysValidPValue(1, 0, 0.2)).toBe(1);
    expect(alwaysValidPValue(1, Number.POSITIVE_INFINITY, 0.2)).toBe(1);
    expect(alwaysValidPValue(Number.NaN, 0.1, 0.2)).toBe(1);
  });

  it("rejects a non-positive tau", () => {
    expect(() => alwaysValidPValue(0.1, 0.01, 0)).toThrow(RangeError);
  });
});

describe("one-sided mixture SPRT", () => {
  /** Λ⁺ by numerical integration of the normal likelihood ratio over the half-normal prior. */
  function integrated(theta: number, v: number, tau: number): number {
    const steps = 200_000;
    const upper = 12 * tau;
    const h = upper / steps;
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      const t = (i + 0.5) * h;
      const prior = (2 / (tau * Math.sqrt(2 * Math.PI))) * Math.exp(-(t * t) / (2 * tau * tau));
      sum += prior * Math.exp((t * theta) / v - (t * t) / (2 * v)) * h;
    }
    return sum;
  }

  it("matches the half-normal mixture of normal likelihood ratios", () => {
    for (const [theta, v, tau] of [
      [0.3, 0.01, 0.2],
      [-0.1, 0.02, 0.3],
      [0.05, 0.005, 0.3],
    ] as const) {
      expect(oneSidedMixtureLogLikelihoodRatio(theta, v, tau)).toBeCloseTo(
        Math.log(integrated(theta, v, tau)),
        5,
      );
    }
  });

  it("is about half the two-sided p-value for a clearly positive estimate", () => {
    const v = 0.01;
    const ratio = oneSidedAlwaysValidPValue(0.4, v, 0.3) / alwaysValidPValue(0.4, v, 0.3);
    expect(ratio).toBeCloseTo(0.5, 3);
  });

  it("finds no evidence for a winner in a negative or zero estimate", () => {
    expect(oneSidedAlwaysValidPValue(0, 0.01, 0.3)).toBe(1);
    expect(oneSidedAlwaysValidPValue(-0.5, 0.01, 0.3)).toBe(1);
  });

  it("grows more significant as the estimate grows", () => {
    let previous = 1;
    for (let theta = 0; theta <= 0.6; theta += 0.05) {
      const p = oneSidedAlwaysValidPValue(theta, 0.01, 0.3);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
    expect(previous).toBeLessThan(1e-6);
  });

  it("does not overflow or underflow on extreme estimates", () => {
    expect(oneSidedAlwaysValidPValue(10, 1e-6, 0.3)).toBe(0);
    expect(Number.isFinite(oneSidedMixtureLogLikelihoodRatio(-10, 1e-6, 0.3))).toBe(true);
    expect(oneSidedAlwaysValidPValue(-10, 1e-6, 0.3)).toBe(1);
  });

  it("treats a missing variance as no evidence and rejects a non-positive tau", () => {
    expect(oneSidedAlwaysValidPValue(1, 0, 0.3)).toBe(1);
    expect(oneSidedAlwaysValidPValue(Number.NaN, 0.1, 0.3)).toBe(1);
    expect(() => oneSidedAlwaysValidPValue(0.1, 0.01, 0)).toThrow(RangeError);
  });

  it("puts the boundary score where the one-sided p-value reaches the level", () => {
    // The example in the function's comment: about 3.1 at level 0.025, τ = 0.3, SE 0.06.
    expect(oneSidedBoundaryScore(0.06 ** 2, 0.3, 0.025)).toBeCloseTo(3.1019, 4);
    for (const [variance, tau, level] of [
      [0.06 ** 2, 0.3, 0.025],
      [1e-8, 2, 1e-6],
      [1e-8, 2, 0.9],
      [10, 0.05, 0.01],
      [1000, 0.3, 0.2],
    ] as const) {
      const z = oneSidedBoundaryScore(variance, tau, level);
      const se = Math.sqrt(variance);
      expect(oneSidedAlwaysValidPValue(z * se, variance, tau)).toBeCloseTo(level, 10);
      expect(oneSidedAlwaysValidPValue(z * (1 - 1e-6) * se, variance, tau)).toBeGreaterThan(level);
    }
    expect(() => oneSidedBoundaryScore(0, 0.3, 0.025)).toThrow(RangeError);
  });
});
