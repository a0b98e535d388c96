import { describe, expect, it } from "vitest";
import { choleskyInPlace, inverseFromCholesky, solveCholesky } from "../../../worker/stats/linear-algebra";

describe("Cholesky helpers", () => {
  it("inverts a symmetric positive-definite matrix", () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const factor = Float64Array.from(a);
    expect(choleskyInPlace(factor, 3)).toBe(true);
    const inverse = inverseFromCholesky(factor, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let product = 0;
        for (let k = 0; k < 3; k++) product += (a[i * 3 + k] ?? 0) * (inverse[k * 3 + j] ?? 0);
        expect(product).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it("solves a linear system", () => {
    const factor = Float64Array.from([2, 1, 1, 3]);
    choleskyInPlace(factor, 2);
    const x = new Float64Array(2);
    solveCholesky(factor, 2, Float64Array.from([3, 5]), x);
    expect(x[0]).toBeCloseTo(0.8, 12);
    expect(x[1]).toBeCloseTo(1.4, 12);
  });

  it("reports singular and indefinite matrices", () => {
    expect(choleskyInPlace(Float64Array.from([1, 1, 1, 1]), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.from([0]), 1)).toBe(false);
  });
});
