/**
 * The analysis of a title test: per-variant lift and probability to be best, and the stop
 * decision. Pure and deterministic — the same slots always give the same answer — so the
 * rotator can rerun it after every slot and a replay reproduces what creators saw.
 */
import type { SwitchbackFit } from "./block-robust";
import { contrastVariance, fitSwitchback } from "./block-robust";
import type { Slot } from "./conditional-poisson";
import { tabulateBlocks } from "./conditional-poisson";
import { tToNormalScore } from "./distributions";
import { oneSidedAlwaysValidPValue } from "./msprt";
import { probabilityBest } from "./probability-best";
import { createRandom } from "./random";

export type { Slot } from "./conditional-poisson";

/** What the engine reports about one variant (variant 0 is the original title, the control). */
export interface VariantResult {
  variant: number;
  /** Total count over all slots (views, or clicks). */
  count: number;
  /** Total exposure over all slots (hours live, or impressions). */
  exposure: number;
  /** count / exposure; 0 before any exposure. A raw figure, not adjusted for time. */
  rate: number;
  /** Rate ratio against the control minus 1, adjusted for time through the blocks. */
  lift: number;
  /** Lower end of the 95 % interval of the lift. */
  liftLow: number;
  /** Upper end of the 95 % interval of the lift. */
  liftHigh: number;
  /** Probability that this variant has the highest rate (Monte Carlo, sums to 1). */
  pBest: number;
}

/** The state of a test as the engine sees it. */
export interface Analysis {
  variants: VariantResult[];
  decision: "collecting" | "winner" | "same" | "inconclusive";
  winner: number | null;
  /**
   * Always-valid p-value of the leader against the rest: the largest of its one-sided pairwise
   * ones (H0: the leader is no better than that rival).
   */
  pValue: number;
  /** Blocks in which every variant was live for some time. */
  blocksComplete: number;
  /** The leader (highest estimate; the control on ties), winner or not. */
  leader: number;
  /**
   * The leader against each rival, what ./verdict.ts turns into "what the test rules out":
   * log rate ratio leader − rival, its variance (robust, Poisson floor) and the df behind it.
   */
  contrasts: Contrast[];
}

/** The leader's comparison with one rival. */
export interface Contrast {
  rival: number;
  /** β_leader − β_rival, a log rate ratio ≥ 0. */
  logRatio: number;
  /** Its variance (0 when there is no information yet). */
  variance: number;
  /** Degrees of freedom of that variance (≤ 0: not estimable yet). */
  df: number;
}

/** Options of {@link analyze}; every field has a default. */
export interface AnalyzeOptions {
  /** Chance of declaring a winner in a test whose titles are all the same (A/A), at most. */
  alpha?: number;
  /** Scale τ of the one-sided mSPRT's half-normal mixing prior on log rate ratios. */
  tau?: number;
  /** Complete blocks required before any decision. */
  minBlocks?: number;
  /** The test has reached its end time: report `inconclusive` instead of `collecting`. */
  final?: boolean;
  /** Monte Carlo draws for pBest (affects pBest only, never the decision). */
  draws?: number;
}

/** Default family-wise error rate of declaring a winner. */
export const DEFAULT_ALPHA = 0.05;

/**
 * Default scale τ of the one-sided mSPRT's half-normal mixing distribution, on the log rate
 * ratio. The mixture should put its weight where title effects are: most title changes move
 * views by 5–30 % (log ratios 0.05–0.26), some by 50 % (0.4); |N(0, 0.3²)| has its median at
 * 0.2 (+22 %) and 90 % of its mass below 0.49 (+64 %). Power is flat in τ: with the current
 * engine, two titles, hourly slots, 500 views a day and Gamma(5) bursts (the calibration
 * grid's traffic, bench/stats), +20 % was found within 14 days in 52, 53 and 52 % of 300 runs
 * at τ = 0.15, 0.2 and 0.3 (before block weights), and less at τ = 0.1 (44 %).
 */
export const DEFAULT_TAU = 0.3;

/** Default number of complete blocks before a decision (the design's minimum of 2). */
export const DEFAULT_MIN_BLOCKS = 2;

/** Default Monte Carlo draws for pBest: standard error below 0.8 percentage points. */
export const DEFAULT_DRAWS = 4000;

/** Variants count as the `same` when every lift interval lies within ±5 %. */
export const SAME_MARGIN = 0.05;

/** Two-sided 95 % normal quantile. */
const Z_95 = 1.959963984540054;

/** Fixed seed: the Monte Carlo is part of a deterministic function of the data. */
const MONTE_CARLO_SEED = 0x7e57_7e57;

/**
 * Analyses a switchback title test. Slots may come in any order and may include an
 * incomplete last block; blocks with fewer than two variants live carry no information.
 *
 * Model: the conditional-Poisson estimate of the rate ratios (block effects absorb time),
 * with a variance measured from how the per-block contrasts vary between blocks
 * (./block-robust.ts), never below the Poisson variance.
 *
 * Stop rule: the leader (highest estimate) is the winner when, against every rival j, the
 * one-sided always-valid p-value of H0: β_leader ≤ β_j is at most alpha/K, after at least
 * `minBlocks` complete blocks; `same` when every lift interval lies within ±5 %; otherwise
 * `collecting`, or `inconclusive` when `final`. {@link winnerLevel} says why this bounds the
 * chance of naming a wrong winner — and of any winner in an A/A test — by alpha.
 *
 * @throws RangeError when variantCount < 2, a slot names a variant outside 0..K−1, a block is
 *   not an integer, counts or exposures are negative or not finite, or a slot has a count
 *   but no exposure; or when an option is out of range.
 */
export function analyze(variantCount: number, slots: Slot[], options: AnalyzeOptions = {}): Analysis {
  const k = variantCount;
  if (!Number.isInteger(k) || k < 2) {
    throw new RangeError(`variantCount must be an integer >= 2, got ${variantCount}`);
  }
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tau = options.tau ?? DEFAULT_TAU;
  const minBlocks = options.minBlocks ?? DEFAULT_MIN_BLOCKS;
  const draws = options.draws ?? DEFAULT_DRAWS;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(tau > 0) || !Number.isFinite(tau)) {
    throw new RangeError(`tau must be positive and finite, got ${tau}`);
  }
  if (!Number.isInteger(minBlocks) || minBlocks < 1) {
    throw new RangeError(`minBlocks must be a positive integer, got ${minBlocks}`);
  }
  if (!Number.isInteger(draws) || draws < 1) {
    throw new RangeError(`draws must be a positive integer, got ${draws}`);
  }
  validateSlots(k, slots);

  const count = new Float64Array(k);
  const exposure = new Float64Array(k);
  const exposedInBlock = new Map<number, Set<number>>();
  for (const slot of slots) {
    count[slot.variant] = (count[slot.variant] ?? 0) + slot.count;
    exposure[slot.variant] = (exposure[slot.variant] ?? 0) + slot.exposure;
    if (slot.exposure > 0) {
      let live = exposedInBlock.get(slot.block);
      if (live === undefined) {
        live = new Set();
        exposedInBlock.set(slot.block, live);
      }
      live.add(slot.variant);
    }
  }
  let blocksComplete = 0;
  for (const live of exposedInBlock.values()) if (live.size === k) blocksComplete++;

  const table = tabulateBlocks(k, slots);
  const fit = fitSwitchback(k, table);
  const beta = fit.beta;
  const pBest = probabilityBest(beta, fit.covariance, draws, createRandom(MONTE_CARLO_SEED));

  const variants: VariantResult[] = [];
  for (let v = 0; v < k; v++) {
    const b = beta[v] ?? 0;
    const se = Math.sqrt(v === 0 ? 0 : contrastVariance(fit, k, v, 0));
    const e = exposure[v] ?? 0;
    const c = count[v] ?? 0;
    variants.push({
      variant: v,
      count: c,
      exposure: e,
      rate: e > 0 ? c / e : 0,
      lift: Math.expm1(b),
      liftLow: Math.expm1(b - Z_95 * se),
      liftHigh: Math.expm1(b + Z_95 * se),
      pBest: pBest[v] ?? 0,
    });
  }

  const { leader, pValue, contrasts } = leaderTest(k, fit, tau);
  const enoughBlocks = blocksComplete >= minBlocks;
  let decision: Analysis["decision"];
  let winner: number | null = null;
  if (enoughBlocks && pValue <= winnerLevel(alpha, k)) {
    decision = "winner";
    winner = leader;
  } else if (enoughBlocks && variants.every((r) => r.liftLow >= -SAME_MARGIN && r.liftHigh <= SAME_MARGIN)) {
    decision = "same";
  } else {
    decision = options.final === true ? "inconclusive" : "collecting";
  }
  return { variants, decision, winner, pValue, blocksComplete, leader, contrasts };
}

/**
 * The level each of the leader's one-sided p-values must reach: alpha/K.
 *
 * Why K and not K − 1: a wrong winner i needs H0: β_i ≤ β_j — true for some rival j — rejected
 * by an always-valid p-value at level alpha/K; being always valid, that p-value ever falls so
 * low, at whatever look and whichever variant leads then, with probability at most alpha/K
 * (Ville's inequality). Any of the K titles can be the wrong winner, and in an A/A test every
 * one of them can: the union bound over K variants gives alpha. With alpha/(K − 1) the A/A
 * bound is K·alpha/(K − 1), 10 % for two titles, and simulated two-title A/A tests reached it.
 */
export function winnerLevel(alpha: number, variantCount: number): number {
  return alpha / variantCount;
}

/**
 * The leader (highest estimate; ties go to the lower index, so the original title leads until
 * a challenger is ahead) and its always-valid p-value: the largest of its one-sided pairwise
 * ones against every rival (H0: the leader is no better than that rival).
 *
 * Each pairwise Wald statistic uses the block-robust variance, which is estimated from the
 * spread between blocks with `fit.df` degrees of freedom; at the first looks that estimate is
 * noisy and a low draw would fake evidence, so the statistic is referred to Student's t with
 * those df and mapped to its normal equivalent before the normal-theory mSPRT. Without df the
 * noise is unknown and the p-value is 1.
 */
export function leaderTest(
  variantCount: number,
  fit: SwitchbackFit,
  tau: number,
): { leader: number; pValue: number; contrasts: Contrast[] } {
  const k = variantCount;
  const beta = fit.beta;
  let leader = 0;
  for (let v = 1; v < k; v++) if ((beta[v] ?? 0) > (beta[leader] ?? 0)) leader = v;
  let pValue = 0;
  const contrasts: Contrast[] = [];
  for (let j = 0; j < k; j++) {
    if (j === leader) continue;
    const logRatio = (beta[leader] ?? 0) - (beta[j] ?? 0);
    const variance = contrastVariance(fit, k, leader, j);
    contrasts.push({ rival: j, logRatio, variance, df: fit.df });
    const se = Math.sqrt(variance);
    if (!(fit.df >= 1) || !(se > 0)) {
      pValue = 1;
      continue;
    }
    const adjusted = tToNormalScore(logRatio / se, fit.df) * se;
    pValue = Math.max(pValue, oneSidedAlwaysValidPValue(adjusted, variance, tau));
  }
  return { leader, pValue, contrasts };
}

function validateSlots(k: number, slots: readonly Slot[]): void {
  if (!Array.isArray(slots)) throw new RangeError("slots must be an array");
  slots.forEach((slot, i) => {
    if (!Number.isInteger(slot.variant) || slot.variant < 0 || slot.variant >= k) {
      throw new RangeError(`slot ${i}: variant must be an integer in 0..${k - 1}, got ${slot.variant}`);
    }
    if (!Number.isSafeInteger(slot.block) || slot.block < 0) {
      throw new RangeError(`slot ${i}: block must be a non-negative integer, got ${slot.block}`);
    }
    if (!Number.isFinite(slot.count) || slot.count < 0) {
      throw new RangeError(`slot ${i}: count must be finite and >= 0, got ${slot.count}`);
    }
    if (!Number.isFinite(slot.exposure) || slot.exposure < 0) {
      throw new RangeError(`slot ${i}: exposure must be finite and >= 0, got ${slot.exposure}`);
    }
    if (slot.count > 0 && slot.exposure === 0) {
      throw new RangeError(`slot ${i}: a count of ${slot.count} without exposure`);
    }
  });
}
