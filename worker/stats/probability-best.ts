/**
 * Probability that each variant is the best under the asymptotic normal distribution of the
 * estimated log rate ratios: exactly for two and three variants (normal and bivariate normal
 * orthants), by Monte Carlo for more.
 */
import { bivariateNormalUpper, normalCdf } from "./bivariate-normal";
import { choleskyInPlace } from "./linear-algebra";
import type { Random } from "./random";
import { fillStandardNormal } from "./random";

/** Variances below this are taken for a point mass: the exact forms would divide by ~0. */
const DEGENERATE_VARIANCE = 1e-300;

/** P(a > 0) for a ~ N(m, v). */
function positive(m: number, v: number): number {
  return v > DEGENERATE_VARIANCE ? normalCdf(m / Math.sqrt(v)) : m > 0 ? 1 : 0;
}

/**
 * P(a > 0, b > 0) for (a, b) jointly normal with means ma, mb, variances va, vb and covariance
 * cab; null when either variance is degenerate.
 */
function bothPositive(ma: number, mb: number, va: number, vb: number, cab: number): number | null {
  if (!(va > DEGENERATE_VARIANCE && vb > DEGENERATE_VARIANCE)) return null;
  const sa = Math.sqrt(va);
  const sb = Math.sqrt(vb);
  const r = Math.max(-1, Math.min(1, cab / (sa * sb)));
  return bivariateNormalUpper(-ma / sa, -mb / sb, r);
}

/**
 * For three variants: variant 0 is best when β₁ < 0 and β₂ < 0, variant 1 when β₁ > 0 and
 * β₁ − β₂ > 0, variant 2 when β₂ > 0 and β₂ − β₁ > 0 (ties have probability 0). Null when a
 * variance is degenerate.
 */
function bestOfThree(mean: Float64Array, covariance: Float64Array): Float64Array | null {
  const m1 = mean[1] ?? 0;
  const m2 = mean[2] ?? 0;
  const v11 = covariance[4] ?? 0;
  const v12 = covariance[5] ?? 0;
  const v22 = covariance[8] ?? 0;
  const vDiff = v11 + v22 - 2 * v12;
  const p0 = bothPositive(-m1, -m2, v11, v22, v12);
  const p1 = bothPositive(m1, m1 - m2, v11, vDiff, v11 - v12);
  const p2 = bothPositive(m2, m2 - m1, v22, vDiff, v22 - v12);
  if (p0 === null || p1 === null || p2 === null) return null;
  const total = p0 + p1 + p2;
  return Float64Array.from([p0 / total, p1 / total, p2 / total]);
}

/**
 * Per variant, the probability that it has the highest β for β ~ N(mean, covariance). `mean` and
 * `covariance` (K×K row-major) follow the model's convention that variant 0 is the reference
 * with β₀ = 0 and zero variance. Two and three variants are computed exactly (the answer of a
 * request for results, every time); beyond that, or on a degenerate covariance, `draws` Monte
 * Carlo draws from `random` give the share of draws in which each variant is highest.
 */
export function probabilityBest(
  mean: Float64Array,
  covariance: Float64Array,
  draws: number,
  random: Random,
): Float64Array {
  const k = mean.length;
  if (k === 2) {
    const p1 = positive(mean[1] ?? 0, covariance[3] ?? 0);
    return Float64Array.from([1 - p1, p1]);
  }
  if (k === 3) {
    const exact = bestOfThree(mean, covariance);
    if (exact) return exact;
  }
  const p = k - 1;
  // Factor the covariance of β₁..β_{K−1}; the control is fixed at 0.
  const factor = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) factor[i * p + j] = covariance[(i + 1) * k + (j + 1)] ?? 0;
  }
  if (!choleskyInPlace(factor, p)) {
    // Only reachable through rounding on a degenerate covariance: a relative jitter on the
    // diagonal keeps the draws meaningful.
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) factor[i * p + j] = covariance[(i + 1) * k + (j + 1)] ?? 0;
      factor[i * p + i] = (factor[i * p + i] ?? 0) * (1 + 1e-9) + 1e-12;
    }
    if (!choleskyInPlace(factor, p)) factor.fill(0);
  }

  const wins = new Float64Array(k);
  const normal = new Float64Array(p);
  for (let draw = 0; draw < draws; draw++) {
    fillStandardNormal(random, normal);
    let best = 0;
    let bestValue = 0;
    for (let i = 0; i < p; i++) {
      let value = mean[i + 1] ?? 0;
      for (let j = 0; j <= i; j++) value += (factor[i * p + j] ?? 0) * (normal[j] ?? 0);
      if (value > bestValue) {
        bestValue = value;
        best = i + 1;
      }
    }
    wins[best] = (wins[best] ?? 0) + 1;
  }
  for (let v = 0; v < k; v++) wins[v] = (wins[v] ?? 0) / draws;
  return wins;
}
