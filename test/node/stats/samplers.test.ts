import { describe, expect, it } from "vitest";
import { createRandom } from "../../../worker/stats/random";
import { sampleGamma, samplePoisson } from "./simulate";

/** Mean and variance of n draws. */
function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSquares / n - mean * mean };
}

describe("simulation samplers", () => {
  it("draws Gamma(shape 5, mean 1) with variance 1/5", () => {
    const random = createRandom(3);
    const { mean, variance } = moments(200_000, () => sampleGamma(random, 5, 1 / 5));
    expect(mean).toBeCloseTo(1, 2);
    expect(variance).toBeCloseTo(0.2, 2);
  });

  it("draws Gamma with shape below 1 through the boost", () => {
    const random = createRandom(4);
    const { mean, variance } = moments(200_000, () => sampleGamma(random, 0.5, 2));
    expect(mean).toBeCloseTo(1, 1);
    expect(variance).toBeCloseTo(2, 1);
  });

  it.each([0.3, 4, 75, 900])("draws Poisson(%d) with equal mean and variance", (lambda) => {
    const random = createRandom(Math.round(lambda * 10));
    const { mean, variance } = moments(100_000, () => samplePoisson(random, lambda));
    expect(Math.abs(mean / lambda - 1)).toBeLessThan(0.02);
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.04);
  });

  it("draws Poisson(0) as 0", () => {
    expect(samplePoisson(createRandom(1), 0)).toBe(0);
  });
});
