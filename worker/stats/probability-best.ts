/**
 * Probability that each variant is the best, by Monte Carlo from the asymptotic normal
 * distribution of the estimated log rate ratios.
 */
import { choleskyInPlace } from "./linear-algebra";
import type { Random } from "./random";
import { fillStandardNormal } from "./random";

/**
 * Draws β ~ N(mean, covariance) `draws` times and returns, per variant, the share of draws in
 * which it has the highest β. `mean` and `covariance` (K×K row-major) follow the model's
 * convention that variant 0 is the reference with β₀ = 0 and zero variance.
 */
export function probabilityBest(
  mean: Float64Array,
  covariance: Float64Array,
  draws: number,
  random: Random,
): Float64Array {
  const k = mean.length;
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
