/**
 * Dense linear algebra for the tiny symmetric positive-definite matrices of the model
 * (one row per variant, so a handful). Matrices are row-major `Float64Array`s of n·n.
 */

/**
 * Overwrites the lower triangle of `a` with its Cholesky factor L (a = L·Lᵀ) and zeroes the
 * upper triangle. Returns false when `a` is not numerically positive definite — for the
 * information matrix that means some contrast is not identified by the data.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = at(a, j * n + j);
    for (let k = 0; k < j; k++) diagonal -= at(a, j * n + k) ** 2;
    // Relative threshold: a pivot this small against the original diagonal is rounding noise.
    if (!(diagonal > 1e-12 * Math.max(1, Math.abs(at(a, j * n + j))))) return false;
    const pivot = Math.sqrt(diagonal);
    a[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let sum = at(a, i * n + j);
      for (let k = 0; k < j; k++) sum -= at(a, i * n + k) * at(a, j * n + k);
      a[i * n + j] = sum / pivot;
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0;
  }
  return true;
}

/** Solves L·Lᵀ·x = b given the factor from {@link choleskyInPlace}; writes x into `out`. */
export function solveCholesky(l: Float64Array, n: number, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = at(b, i);
    for (let k = 0; k < i; k++) sum -= at(l, i * n + k) * at(out, k);
    out[i] = sum / at(l, i * n + i);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = at(out, i);
    for (let k = i + 1; k < n; k++) sum -= at(l, k * n + i) * at(out, k);
    out[i] = sum / at(l, i * n + i);
  }
}

/** The inverse of L·Lᵀ given its Cholesky factor. */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n);
  const unit = new Float64Array(n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit.fill(0);
    unit[j] = 1;
    solveCholesky(l, n, unit, column);
    for (let i = 0; i < n; i++) inverse[i * n + j] = at(column, i);
  }
  // Symmetrise away rounding so covariances are exactly symmetric.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = (at(inverse, i * n + j) + at(inverse, j * n + i)) / 2;
      inverse[i * n + j] = mean;
      inverse[j * n + i] = mean;
    }
  }
  return inverse;
}

/** Indexed read that satisfies `noUncheckedIndexedAccess` for internal, in-range indices. */
function at(values: Float64Array, index: number): number {
  return values[index] as number;
}
