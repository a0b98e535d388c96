/**
 * The switchback model: counts per slot `y ~ Poisson(exposure · exp(α_block + β_variant))`
 * with β₀ = 0 (the control), fitted by the likelihood conditional on each block's total.
 *
 * Conditioning on block totals removes the block effects α exactly: within a block the
 * counts are multinomial with probabilities ∝ exposure · exp(β_variant). Whatever moves
 * traffic between blocks — the video's ageing, weekdays, a spike from a share — cancels, and
 * only comparisons inside a block inform β. The variance this module returns is the Poisson
 * one; how noisy the counts really are is measured between blocks (./block-robust.ts).
 */
import { choleskyInPlace, inverseFromCholesky, solveCholesky } from "./linear-algebra";

/** One slot of a test: which variant was live in which block, what it gathered and for how long. */
export interface Slot {
  variant: number;
  block: number;
  /** Events gained in the slot (views, or clicks for CTR). */
  count: number;
  /** Opportunity in the slot (hours live, or impressions for CTR). */
  exposure: number;
}

/**
 * Prior standard deviation of each β in the fallback fit. A rate ratio beyond e^±4 (55×) is
 * implausible for a title, so N(0, 2²) barely moves estimates supported by data while
 * keeping them finite when the data cannot bound them (β → −∞ for a variant with no counts).
 */
export const FALLBACK_PRIOR_SD = 2;

/** |β| beyond this means the unpenalised Newton iterations are walking off to infinity. */
const DIVERGENCE_LIMIT = 20;
const MAX_ITERATIONS = 100;
const MAX_HALVINGS = 40;
const STEP_TOLERANCE = 1e-10;

/**
 * Per-block sums, flattened block-major (block · K + variant). Only `blocks` rows are read, so a
 * caller may keep a longer buffer and grow `blocks` as blocks complete. A block with one exposed
 * variant or no events adds nothing to the conditional likelihood, its score or its information.
 */
export interface BlockTable {
  exposure: Float64Array;
  count: Float64Array;
  /** Events per block (the sum of its counts). */
  total: Float64Array;
  blocks: number;
  /**
   * Optional weight of each block's conditional log-likelihood (default 1). Weights that
   * depend on a block's total and exposures only keep every block's score unbiased, since the
   * total is what the conditional likelihood conditions on.
   */
  weight?: Float64Array;
}

/** β and the inverse information of the conditional-Poisson fit of a {@link BlockTable}. */
export interface BlockFit {
  /** Log rate ratio of each variant against the control; `beta[0]` is 0. */
  beta: Float64Array;
  /** Inverse observed information of β₁..β_{K−1} ((K−1)×(K−1) row-major), Poisson scale. */
  inverse: Float64Array;
  /** True when the fit needed the weak prior (the plain estimate does not exist). */
  penalised: boolean;
}

/**
 * Fits β from block sums alone (the conditional likelihood needs nothing else), starting the
 * Newton iterations from `start` when given — a previous look's estimate — which saves most of
 * them when the analysis is rerun after every block.
 */
export function fitBlockTable(variantCount: number, table: BlockTable, start?: Float64Array): BlockFit {
  const k = variantCount;
  let penalty = 0;
  let beta = newton(k, table, penalty, start);
  if (beta === null && start !== undefined) beta = newton(k, table, penalty);
  if (beta === null) {
    penalty = 1 / FALLBACK_PRIOR_SD ** 2;
    beta = newton(k, table, penalty);
  }
  const fitted = beta ?? new Float64Array(k);
  return { beta: fitted, inverse: inverseInformation(k, table, fitted, penalty), penalised: penalty > 0 };
}

/**
 * Per-block sums of every block that carries information (two exposed variants and an event),
 * in first-seen order. Inputs must already be validated (variants in range, finite non-negative
 * counts and exposures).
 */
export function tabulateBlocks(variantCount: number, slots: readonly Slot[]): BlockTable {
  const k = variantCount;
  const index = new Map<number, number>();
  const exposure: number[] = [];
  const count: number[] = [];
  for (const slot of slots) {
    let b = index.get(slot.block);
    if (b === undefined) {
      b = index.size;
      index.set(slot.block, b);
      for (let v = 0; v < k; v++) {
        exposure.push(0);
        count.push(0);
      }
    }
    const cell = b * k + slot.variant;
    exposure[cell] = (exposure[cell] ?? 0) + slot.exposure;
    count[cell] = (count[cell] ?? 0) + slot.count;
  }

  const usedExposure: number[] = [];
  const usedCount: number[] = [];
  const usedTotal: number[] = [];
  for (const b of index.values()) {
    let variantsExposed = 0;
    let total = 0;
    for (let v = 0; v < k; v++) {
      if ((exposure[b * k + v] ?? 0) > 0) variantsExposed++;
      total += count[b * k + v] ?? 0;
    }
    // A block informs β only through comparisons inside it: with one variant (an incomplete
    // last block) or no events it contributes nothing to the conditional likelihood.
    if (variantsExposed < 2 || total <= 0) continue;
    for (let v = 0; v < k; v++) {
      usedExposure.push(exposure[b * k + v] ?? 0);
      usedCount.push(count[b * k + v] ?? 0);
    }
    usedTotal.push(total);
  }
  return {
    exposure: Float64Array.from(usedExposure),
    count: Float64Array.from(usedCount),
    total: Float64Array.from(usedTotal),
    blocks: usedTotal.length,
  };
}

/**
 * The inverse of the observed information at `beta` (the asymptotic covariance of the
 * log rate ratios); the prior's variance on the diagonal when the information is singular.
 */
function inverseInformation(k: number, table: BlockTable, beta: Float64Array, penalty: number): Float64Array {
  const p = k - 1;
  const information = new Float64Array(p * p);
  evaluate(k, table, beta, penalty, new Float64Array(p), information);
  if (choleskyInPlace(information, p)) return inverseFromCholesky(information, p);
  const inverse = new Float64Array(p * p);
  for (let i = 0; i < p; i++) inverse[i * p + i] = FALLBACK_PRIOR_SD ** 2;
  return inverse;
}

/**
 * Newton–Raphson on the (optionally ridge-penalised) conditional log-likelihood. Returns
 * null when the information is singular or the estimates diverge, i.e. when the maximum
 * likelihood estimate does not exist.
 */
function newton(k: number, table: BlockTable, penalty: number, start?: Float64Array): Float64Array | null {
  const p = k - 1;
  const beta = start === undefined ? new Float64Array(k) : Float64Array.from(start);
  beta[0] = 0;
  const candidate = new Float64Array(k);
  const gradient = new Float64Array(p);
  const information = new Float64Array(p * p);
  const step = new Float64Array(p);

  let logLikelihood = evaluate(k, table, beta, penalty, gradient, information);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    if (!choleskyInPlace(information, p)) return null;
    solveCholesky(information, p, gradient, step);

    // The objective is concave, so a full Newton step rarely overshoots; halving guards the
    // first steps from far away (e.g. large true effects with few counts).
    let scale = 1;
    let next = Number.NEGATIVE_INFINITY;
    for (let halving = 0; halving <= MAX_HALVINGS; halving++) {
      for (let i = 0; i < p; i++) candidate[i + 1] = at(beta, i + 1) + scale * at(step, i);
      next = objective(k, table, candidate, penalty);
      if (next >= logLikelihood - 1e-12 * (1 + Math.abs(logLikelihood))) break;
      scale /= 2;
    }
    if (!Number.isFinite(next)) return null;

    let largestMove = 0;
    for (let i = 1; i < k; i++) {
      largestMove = Math.max(largestMove, Math.abs(at(candidate, i) - at(beta, i)));
      beta[i] = at(candidate, i);
      if (Math.abs(at(beta, i)) > DIVERGENCE_LIMIT) return null;
    }
    logLikelihood = evaluate(k, table, beta, penalty, gradient, information);
    if (largestMove < STEP_TOLERANCE) return beta;
  }
  return null;
}

/** The conditional log-likelihood (minus the penalty), up to a constant. */
function objective(k: number, table: BlockTable, beta: Float64Array, penalty: number): number {
  let value = 0;
  const weight = table.weight;
  for (let b = 0; b < table.blocks; b++) {
    if (!(at(table.total, b) > 0)) continue;
    const w = weight === undefined ? 1 : at(weight, b);
    let denominator = 0;
    let blockValue = 0;
    for (let v = 0; v < k; v++) {
      const e = at(table.exposure, b * k + v);
      if (e <= 0) continue;
      denominator += e * Math.exp(at(beta, v));
      blockValue += at(table.count, b * k + v) * at(beta, v);
    }
    value += w * (blockValue - at(table.total, b) * Math.log(denominator));
  }
  for (let v = 1; v < k; v++) value -= (penalty / 2) * at(beta, v) ** 2;
  return value;
}

/**
 * Writes the score (gradient) and the observed information (minus the Hessian) of β₁..β_{K−1}
 * and returns the objective. Within a block with total N and probabilities π:
 * score_v = y_v − N·π_v, information_vw = N·(π_v·δ_vw − π_v·π_w).
 */
function evaluate(
  k: number,
  table: BlockTable,
  beta: Float64Array,
  penalty: number,
  gradient: Float64Array,
  information: Float64Array,
): number {
  const p = k - 1;
  gradient.fill(0);
  information.fill(0);
  const probability = new Float64Array(k);
  let value = 0;
  const blockWeight = table.weight;
  for (let b = 0; b < table.blocks; b++) {
    const total = at(table.total, b);
    // A block without events adds nothing (and a zero-exposure one would give 0/0).
    if (!(total > 0)) continue;
    const bw = blockWeight === undefined ? 1 : at(blockWeight, b);
    let denominator = 0;
    let blockValue = 0;
    for (let v = 0; v < k; v++) {
      const w = at(table.exposure, b * k + v) * Math.exp(at(beta, v));
      probability[v] = w;
      denominator += w;
      blockValue += at(table.count, b * k + v) * at(beta, v);
    }
    value += bw * (blockValue - total * Math.log(denominator));
    for (let v = 1; v < k; v++) {
      const pv = at(probability, v) / denominator;
      gradient[v - 1] = at(gradient, v - 1) + bw * (at(table.count, b * k + v) - total * pv);
      for (let w = 1; w < k; w++) {
        const pw = at(probability, w) / denominator;
        const cell = (v - 1) * p + (w - 1);
        information[cell] = at(information, cell) + bw * total * ((v === w ? pv : 0) - pv * pw);
      }
    }
  }
  for (let v = 1; v < k; v++) {
    value -= (penalty / 2) * at(beta, v) ** 2;
    gradient[v - 1] = at(gradient, v - 1) - penalty * at(beta, v);
    const diagonal = (v - 1) * p + (v - 1);
    information[diagonal] = at(information, diagonal) + penalty;
  }
  return value;
}

/** Indexed read that satisfies `noUncheckedIndexedAccess` for internal, in-range indices. */
function at(values: Float64Array, index: number): number {
  return values[index] as number;
}
