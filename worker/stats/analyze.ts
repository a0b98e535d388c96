/**
 * The analysis of a title test: per-variant lift and probability to be best, and the stop
 * decision. Pure and deterministic — the same slots always give the same answer — so the
 * rotator can rerun it after every slot and a replay reproduces what creators saw.
 */
import type { Slot } from "./conditional-poisson";
import { tToNormalScore } from "./distributions";
import { oneSidedAlwaysValidPValue } from "./msprt";
import { fitNegativeBinomial } from "./negative-binomial";
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
}

/** Options of {@link analyze}; every field has a default. */
export interface AnalyzeOptions {
  /** Family-wise error rate of the winner declaration (Bonferroni over the K−1 rivals). */
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
 * 0.2 (+22 %) and 90 % of its mass below 0.49 (+64 %). Power is flat in τ: in the simulations
 * of test/node/stats (3 variants, hourly rotation, bursty traffic, +50 % title, 7 days),
 * chosen on a seed set of its own (600 runs): τ = 0.15, 0.2, 0.3, 0.4, 0.6 gave 73, 79, 81,
 * 80, 78 %; confirmed on two other seed sets of 200 runs (0.3 vs 0.2: 82 vs 81 %, 75.5 vs
 * 74 %) with A/A false winners at 0.25–0.5 % for both, and 81.9 % on a fourth set of 1,000.
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
 * Stop rule: the leader (highest estimate) is the winner when, against every rival j, the
 * one-sided always-valid p-value of H0: β_leader ≤ β_j is at most alpha/(K−1), after at least
 * `minBlocks` complete blocks; `same` when every lift interval lies within ±5 %; otherwise
 * `collecting`, or `inconclusive` when `final`. See the comment at the decision for why this
 * bounds the chance of naming a wrong winner by alpha.
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

  // The design's quasi-Poisson model with its variance refined to μ + aμ² (see
  // ./negative-binomial.ts): same mean model and block effects, Poisson variance as the floor,
  // but weights and scale that match bursty traffic, so the intervals keep their coverage.
  const fit = fitNegativeBinomial(k, slots);
  const beta = fit.beta;
  const variance = (i: number, j: number): number => fit.covariance[i * k + j] ?? 0;
  const pBest = probabilityBest(beta, fit.covariance, draws, createRandom(MONTE_CARLO_SEED));

  const variants: VariantResult[] = [];
  for (let v = 0; v < k; v++) {
    const b = beta[v] ?? 0;
    const se = Math.sqrt(variance(v, v));
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

  // The leader is the variant with the highest estimate (ties go to the lower index, so the
  // original title leads until a challenger is ahead). It wins only if it beats every rival.
  //
  // Why the wrong-winner rate stays at most alpha although the tests are one-sided and the
  // leader is chosen from the data: let j* be the truly best variant. Naming a wrong winner i
  // requires, among others, rejecting H0: β_i ≤ β_j* — a true null — with the one-sided
  // always-valid p-value at alpha/(K−1). Being always valid, that p-value falls to
  // alpha/(K−1) at any time, and so at whatever time we stop or whichever variant leads then,
  // with probability at most alpha/(K−1) (Ville's inequality). The union over the K−1 variants
  // that are not best gives at most alpha. In an A/A test every declaration is wrong and the
  // union runs over all K variants, so the bound there is K·alpha/(K−1); the simulations in
  // test/node/stats report the actual rate.
  let leader = 0;
  for (let v = 1; v < k; v++) if ((beta[v] ?? 0) > (beta[leader] ?? 0)) leader = v;
  let pValue = 0;
  for (let j = 0; j < k; j++) {
    if (j === leader) continue;
    const contrast = (beta[leader] ?? 0) - (beta[j] ?? 0);
    const contrastVariance = variance(leader, leader) + variance(j, j) - 2 * variance(leader, j);
    // The variance carries an estimated over-dispersion; with few residual df its noise would
    // let a lucky low estimate fake evidence (seen in simulation at the first looks). The Wald
    // statistic is referred to t with the residual df and mapped back to its normal equivalent.
    const se = Math.sqrt(contrastVariance);
    const adjusted = se > 0 ? tToNormalScore(contrast / se, fit.residualDf) * se : 0;
    pValue = Math.max(pValue, oneSidedAlwaysValidPValue(adjusted, contrastVariance, tau));
  }

  const enoughBlocks = blocksComplete >= minBlocks;
  let decision: Analysis["decision"];
  let winner: number | null = null;
  if (enoughBlocks && pValue <= alpha / (k - 1)) {
    decision = "winner";
    winner = leader;
  } else if (enoughBlocks && variants.every((r) => r.liftLow >= -SAME_MARGIN && r.liftHigh <= SAME_MARGIN)) {
    decision = "same";
  } else {
    decision = options.final === true ? "inconclusive" : "collecting";
  }
  return { variants, decision, winner, pValue, blocksComplete };
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
