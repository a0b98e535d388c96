import { describe, expect, it } from "vitest";
import { createRandom, fillStandardNormal, uniformInt } from "../../../worker/stats/random";

describe("seeded random", () => {
  it("repeats its stream for a seed and differs between seeds", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    expect(createRandom(2 ** 40).next()).not.toBe(createRandom(0).next());
  });

  it("draws uniforms in [0, 1) with the right mean and variance", () => {
    const random = createRandom(1);
    let sum = 0;
    let sumSquares = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = random.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      sumSquares += u * u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSquares / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it("draws every integer of a small range about equally often", () => {
    const random = createRandom(9);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) {
      const value = uniformInt(random, 5);
      counts[value] = (counts[value] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });

  it("draws standard normals with mean 0, variance 1 and normal tails", () => {
    const random = createRandom(5);
    const values = new Float64Array(100_001); // odd length: the last pair is half used
    fillStandardNormal(random, values);
    const n = values.length;
    const mean = values.reduce((s, x) => s + x, 0) / n;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    const beyond196 = values.filter((x) => Math.abs(x) > 1.96).length / n;
    expect(mean).toBeCloseTo(0, 2);
    expect(variance).toBeCloseTo(1, 1);
    expect(beyond196).toBeCloseTo(0.05, 2);
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => createRandom(1.5)).toThrow(RangeError);
    expect(() => uniformInt(createRandom(1), 0)).toThrow(RangeError);
  });
});
