/**
 * The noise of a switchback test measured from the test itself: the conditional-Poisson
 * estimate with a cluster-robust (sandwich) covariance whose clusters are the blocks.
 *
 * Why: the estimate of β is a sum of per-block contributions — within a block the score of
 * variant v is y_v − N·π_v, the block's own contrast between what v earned and what it would
 * have earned at the fitted rate ratios. However views are generated (Poisson, bursty hours
 * with any mean–variance relation, a spike within a block), blocks are independent given the
 * block effects, so how these scores really vary between blocks is the variance of the
 * estimate. No variance function is assumed, only independence between blocks, which the
 * design provides: the block effects absorb trend, decay, time of day and weekday.
 *
 * Two small-sample corrections, since with two titles a block gives one contrast and a test
 * starts from a handful of blocks:
 * - the scores are residuals at the fitted β, which sum to zero, so the meat is scaled by
 *   G/(G − p) (G informative blocks, p = K − 1 estimated ratios), the cluster analogue of
 *   dividing a variance by n − 1;
 * - the variance rests on G − p degrees of freedom, and the stop rule refers its Wald statistic
 *   to Student's t with those df (see ./analyze.ts).
 * The Poisson variance stays the floor: a sandwich that happens to come out below it (quiet
 * blocks that agree by chance) would claim less noise than counting noise alone.
 */
import type { BlockTable } from "./conditional-poisson";
import { fitBlockTable } from "./conditional-poisson";

/** The fit the stop rule, the intervals and pBest read. */
export interface SwitchbackFit {
  /** Log rate ratio of each variant against the control; `beta[0]` is 0. */
  beta: Float64Array;
  /**
   * Covariance of β (K×K row-major; row and column 0 are 0): the block-robust one, with each
   * variance raised to at least its Poisson value (correlations kept).
   */
  covariance: Float64Array;
  /** The Poisson (model-based) covariance of β, K×K: the floor of every contrast variance. */
  poissonCovariance: Float64Array;
  /**
   * Degrees of freedom of the robust variance: informative blocks (two exposed variants and at
   * least one event) − (K − 1); may be ≤ 0.
   */
  df: number;
  /** Estimated burstiness a in Var(slot) ≈ μ(1 + a·μ) behind the block weights (0: none). */
  burstiness: number;
}

/**
 * Fits a block table (see {@link BlockTable}) and measures the variance of β between blocks.
 * `start` (a previous look's β) only speeds the fit up.
 */
export function fitSwitchback(variantCount: number, table: BlockTable, start?: Float64Array): SwitchbackFit {
  const k = variantCount;
  const p = k - 1;
  const first = fitBlockTable(k, { ...table, weight: undefined }, start);
  const burst = burstiness(k, table, rates(first.beta));
  let fitted = first;
  let blockWeight: Float64Array | undefined;
  if (burst > 0) {
    blockWeight = new Float64Array(table.blocks);
    for (let b = 0; b < table.blocks; b++) {
      blockWeight[b] = 1 / (1 + burst * perSlotMean(k, table, b));
    }
    fitted = fitBlockTable(k, { ...table, weight: blockWeight }, first.beta);
  }
  const { beta, inverse } = fitted;

  const rate = rates(beta);
  const meat = new Float64Array(p * p);
  // Σ w²·I_b: with weights, the Poisson variance of the estimate is A·(Σ w²·I_b)·A.
  const poissonMeat = new Float64Array(p * p);
  const score = new Float64Array(p);
  const share = new Float64Array(k);
  let used = 0;
  for (let b = 0; b < table.blocks; b++) {
    const total = at(table.total, b);
    if (!(total > 0) || exposedVariants(k, table, b) < 2) continue;
    used++;
    const denominator = weightedExposure(k, table, b, rate);
    const w = blockWeight === undefined ? 1 : at(blockWeight, b);
    for (let v = 1; v < k; v++) {
      share[v] = (at(table.exposure, b * k + v) * at(rate, v)) / denominator;
      score[v - 1] = w * (at(table.count, b * k + v) - total * at(share, v));
    }
    for (let i = 0; i < p; i++) {
      const si = at(score, i);
      for (let j = 0; j < p; j++) {
        meat[i * p + j] = at(meat, i * p + j) + si * at(score, j);
        const information = total * ((i === j ? at(share, i + 1) : 0) - at(share, i + 1) * at(share, j + 1));
        poissonMeat[i * p + j] = at(poissonMeat, i * p + j) + w * w * information;
      }
    }
  }

  const df = used - p;
  const correction = df > 0 ? used / df : 1;
  const robust = sandwich(inverse, meat, p, correction);
  // Without weights this is the inverse information itself.
  const poisson = blockWeight === undefined ? inverse : sandwich(inverse, poissonMeat, p, 1);

  // Raise each variance to its Poisson floor, keeping the robust correlations (when the robust
  // variance is 0 — no spread measured yet — the Poisson covariance is used as it is).
  const scale = new Float64Array(p);
  let degenerate = false;
  for (let i = 0; i < p; i++) {
    const r = at(robust, i * p + i);
    const m = at(poisson, i * p + i);
    if (!(r > 0)) degenerate = true;
    scale[i] = r > 0 ? Math.sqrt(Math.max(1, m / r)) : 1;
  }
  const covariance = new Float64Array(k * k);
  const poissonCovariance = new Float64Array(k * k);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const model = at(poisson, i * p + j);
      poissonCovariance[(i + 1) * k + (j + 1)] = model;
      covariance[(i + 1) * k + (j + 1)] = degenerate
        ? model
        : at(robust, i * p + j) * at(scale, i) * at(scale, j);
    }
  }
  return { beta, covariance, poissonCovariance, df, burstiness: burst };
}

/** A·M·A·c for symmetric p×p A and M. */
function sandwich(a: Float64Array, m: Float64Array, p: number, c: number): Float64Array {
  const am = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let sum = 0;
      for (let l = 0; l < p; l++) sum += at(a, i * p + l) * at(m, l * p + j);
      am[i * p + j] = sum;
    }
  }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let sum = 0;
      for (let l = 0; l < p; l++) sum += at(am, i * p + l) * at(a, l * p + j);
      out[i * p + j] = c * sum;
    }
  }
  return out;
}

/** The rate ratio e^β of each variant against the control. */
function rates(beta: Float64Array): Float64Array {
  return beta.map(Math.exp);
}

/** How many variants were live (had exposure) in block b. */
function exposedVariants(k: number, table: BlockTable, b: number): number {
  let exposed = 0;
  for (let v = 0; v < k; v++) if (at(table.exposure, b * k + v) > 0) exposed++;
  return exposed;
}

/** Σ_v exposure·rate over block b: what the block's total is shared in proportion to. */
function weightedExposure(k: number, table: BlockTable, b: number, rate: Float64Array): number {
  let sum = 0;
  for (let v = 0; v < k; v++) sum += at(table.exposure, b * k + v) * at(rate, v);
  return sum;
}

/** A block's events per exposed variant: the typical size of one of its slots. */
function perSlotMean(k: number, table: BlockTable, b: number): number {
  const exposed = exposedVariants(k, table, b);
  return exposed > 0 ? at(table.total, b) / exposed : 0;
}

/**
 * The burstiness a in Var(slot) ≈ μ(1 + a·μ), by moments from the blocks: a block's Pearson
 * statistic over its variants, divided by its df (exposed variants − 1), has expectation about
 * 1 + a·m with m the block's events per slot; least squares through the origin of (r − 1) on
 * m gives a, floored at 0. It only sets the weights (busy, burst-dominated blocks count less,
 * as their contrasts are noisier relative to their size); the variance of the estimate is
 * measured by the sandwich whatever a is, so a rough a costs efficiency, never validity.
 */
function burstiness(k: number, table: BlockTable, rate: Float64Array): number {
  let numerator = 0;
  let denominator = 0;
  for (let b = 0; b < table.blocks; b++) {
    const total = at(table.total, b);
    const exposed = exposedVariants(k, table, b);
    if (!(total > 0) || exposed < 2) continue;
    const weighted = weightedExposure(k, table, b, rate);
    let pearson = 0;
    for (let v = 0; v < k; v++) {
      const e = at(table.exposure, b * k + v);
      if (!(e > 0)) continue;
      const expected = (total * e * at(rate, v)) / weighted;
      pearson += (at(table.count, b * k + v) - expected) ** 2 / expected;
    }
    const m = total / exposed;
    numerator += (pearson / (exposed - 1) - 1) * m;
    denominator += m * m;
  }
  return denominator > 0 ? Math.max(0, numerator / denominator) : 0;
}

/**
 * Variance of β_i − β_j under the fit: the larger of the robust and the Poisson one, so every
 * contrast keeps the Poisson floor (not only those against the control).
 */
export function contrastVariance(fit: SwitchbackFit, k: number, i: number, j: number): number {
  const pair = (c: Float64Array): number => at(c, i * k + i) + at(c, j * k + j) - 2 * at(c, i * k + j);
  return Math.max(pair(fit.covariance), pair(fit.poissonCovariance));
}

/** Indexed read that satisfies `noUncheckedIndexedAccess` for internal, in-range indices. */
function at(values: Float64Array, index: number): number {
  return values[index] as number;
}
