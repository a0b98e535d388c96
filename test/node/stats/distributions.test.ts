import { describe, expect, it } from "vitest";
import {
  logGamma,
  normalLogCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTwoSidedTail,
  tToNormalScore,
} from "../../../worker/stats/distributions";

describe("distribution functions", () => {
  it("computes ln Γ at known points", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 9);
  });

  it("computes the incomplete beta at closed-form cases", () => {
    // I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b.
    expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 12);
    expect(regularizedIncompleteBeta(0.8, 1, 3)).toBeCloseTo(1 - 0.2 ** 3, 12);
  });

  it("gives Student t tails of known value", () => {
    expect(studentTwoSidedTail(1, 1)).toBeCloseTo(0.5, 12); // Cauchy
    expect(studentTwoSidedTail(2, 2)).toBeCloseTo(1 - 2 / Math.sqrt(6), 12); // closed form for df = 2
    expect(studentTwoSidedTail(2.228138851986274, 10)).toBeCloseTo(0.05, 9);
  });

  it("inverts the normal distribution", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 7);
    expect(normalQuantile(0.9)).toBeCloseTo(-normalQuantile(0.1), 12);
  });

  it("maps a t statistic to the normal score with the same tail, shrinking it for few df", () => {
    expect(tToNormalScore(2.228138851986274, 10)).toBeCloseTo(1.959963984540054, 7);
    expect(tToNormalScore(-3.6, 2)).toBeCloseTo(-1.8168, 3);
    expect(tToNormalScore(3, 1e7)).toBeCloseTo(3, 5);
    expect(tToNormalScore(3, 0)).toBe(0);
  });

  it("computes ln Φ in the centre and deep in the lower tail", () => {
    expect(normalLogCdf(0)).toBeCloseTo(Math.log(0.5), 7);
    expect(Math.exp(normalLogCdf(1.959963984540054))).toBeCloseTo(0.975, 7);
    expect(Math.exp(normalLogCdf(-1.959963984540054))).toBeCloseTo(0.025, 8);
    expect(Math.exp(normalLogCdf(-5)) / 2.866515718791939e-7).toBeCloseTo(1, 6);
    // Mills ratio asymptotics: ln Φ(x) ≈ −x²/2 − ln(−x) − ln √(2π) + ln(1 − 1/x² + 3/x⁴).
    const x = -40;
    const asymptotic =
      -(x * x) / 2 - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / x ** 2 + 3 / x ** 4);
    expect(normalLogCdf(x)).toBeCloseTo(asymptotic, 5);
    expect(normalLogCdf(Number.POSITIVE_INFINITY)).toBe(0);
    expect(normalLogCdf(40)).toBeCloseTo(0, 12);
  });
});
