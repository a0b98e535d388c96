import { describe, expect, it } from "vitest";
import { bivariateNormalUpper, normalCdf } from "../../../worker/stats/bivariate-normal";
import { probabilityBest } from "../../../worker/stats/probability-best";
import { createRandom, fillStandardNormal } from "../../../worker/stats/random";

const CORRELATIONS = [
  -0.999, -0.95, -0.93, -0.9, -0.6, -0.3, -0.1, 0, 0.1, 0.29, 0.5, 0.74, 0.8, 0.92, 0.93, 0.99,
];

/** The same probability by a million paired draws: X = Z₁, Y = ρZ₁ + √(1−ρ²)Z₂. */
function byDraws(h: number, k: number, r: number, n = 1_000_000): number {
  const random = createRandom(7);
  const z = new Float64Array(2);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    fillStandardNormal(random, z);
    const x = z[0] as number;
    const y = r * x + Math.sqrt(1 - r * r) * (z[1] as number);
    if (x > h && y > k) hits++;
  }
  return hits / n;
}

describe("bivariate normal upper orthant", () => {
  it.each(CORRELATIONS)("matches the closed form at the origin, 1/4 + asin(ρ)/2π, for ρ = %d", (r) => {
    expect(bivariateNormalUpper(0, 0, r)).toBeCloseTo(0.25 + Math.asin(r) / (2 * Math.PI), 6);
  });

  it.each([
    [0.5, -1.2],
    [-0.7, 0.3],
    [1.5, 2],
    [-2, -1.5],
  ])("is Φ(−h)Φ(−k) without correlation, and Φ(−max(h, k)) at ρ = 1 (h = %d, k = %d)", (h, k) => {
    expect(bivariateNormalUpper(h, k, 0)).toBeCloseTo(normalCdf(-h) * normalCdf(-k), 6);
    expect(bivariateNormalUpper(h, k, 1)).toBeCloseTo(normalCdf(-Math.max(h, k)), 6);
    expect(bivariateNormalUpper(h, k, -1)).toBeCloseTo(Math.max(0, normalCdf(-h) - normalCdf(k)), 6);
  });

  it.each([
    [0.3, -0.4, 0.95],
    [1.1, 0.2, -0.97],
    [-0.5, 1.4, 0.6],
    [2.2, -1.9, -0.45],
  ])("agrees with a million draws at h = %d, k = %d, ρ = %d", (h, k, r) => {
    // Three standard errors of a million draws are below 0.0015.
    expect(Math.abs(bivariateNormalUpper(h, k, r) - byDraws(h, k, r))).toBeLessThan(0.0015);
  });
});

/** β₀ = 0 with zero variance, as the model gives them; `cov` is the K−1 × K−1 block of the rest. */
function model(rest: number[], cov: number[][]) {
  const k = rest.length + 1;
  const mean = Float64Array.from([0, ...rest]);
  const covariance = new Float64Array(k * k);
  cov.forEach((row, i) => {
    row.forEach((value, j) => {
      covariance[(i + 1) * k + (j + 1)] = value;
    });
  });
  return { mean, covariance };
}

describe("probability best", () => {
  it.each([
    { rest: [0.1], cov: [[0.04]] },
    {
      rest: [0.12, 0.05],
      cov: [
        [0.02, 0.008],
        [0.008, 0.03],
      ],
    },
    {
      rest: [-0.05, 0.02],
      cov: [
        [0.01, -0.004],
        [-0.004, 0.012],
      ],
    },
    {
      rest: [0.2, 0.2],
      cov: [
        [0.05, 0.049],
        [0.049, 0.05],
      ],
    },
  ])(
    "is exact for two and three variants: it agrees with 200,000 draws of the general path ($rest)",
    ({ rest, cov }) => {
      const { mean, covariance } = model(rest, cov);
      const exact = probabilityBest(mean, covariance, 1, createRandom(1));
      // Four variants force the Monte Carlo path: a fourth variant far below never wins.
      const k = mean.length;
      const padded = model([...rest, -50], [...cov.map((row) => [...row, 0]), [...Array(k - 1).fill(0), 1]]);
      const sampled = probabilityBest(padded.mean, padded.covariance, 200_000, createRandom(3));
      expect(exact.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      for (let v = 0; v < k; v++)
        expect(Math.abs((exact[v] as number) - (sampled[v] as number))).toBeLessThan(0.005);
      expect(sampled[k]).toBe(0);
    },
  );

  it("takes a variance of zero for a point mass", () => {
    const { mean, covariance } = model([0.3], [[0]]);
    expect([...probabilityBest(mean, covariance, 1, createRandom(1))]).toEqual([0, 1]);
    const three = model(
      [0.3, -0.1],
      [
        [0, 0],
        [0, 0],
      ],
    );
    const byDrawsOnly = probabilityBest(three.mean, three.covariance, 1_000, createRandom(1));
    expect([...byDrawsOnly]).toEqual([0, 1, 0]);
  });
});
