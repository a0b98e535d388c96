/**
 * What a verdict already knows: the differences a running test has ruled out, and for a test
 * that ends inconclusive, the smallest effect it could have seen. Pure, from an
 * {@link Analysis}.
 *
 * "Ruled out" uses the always-valid confidence sequence of the same mixture the stop rule uses
 * (two-sided, mixing N(0, τ²)): θ stays plausible while the mixture likelihood ratio of the
 * estimate against θ is below 1/alpha,
 *   |θ̂ − θ| ≤ r(v) = √( 2v(v + τ²)/τ² · (ln(1/alpha) + ½·ln((v + τ²)/v)) ),
 * which holds at every look at once, so a creator may read it whenever they like. Each contrast
 * is the leader against one rival; the statement bounds how far any title can be from the
 * leader. With few blocks the variance rests on few df and is widened by df/(df − 2), the
 * variance of Student's t; with 2 df or fewer nothing is ruled out yet.
 */
import type { Analysis } from "./analyze";
import { DEFAULT_ALPHA, DEFAULT_TAU, winnerLevel } from "./analyze";
import { oneSidedBoundaryScore } from "./msprt";

/** What the test already knows. */
export interface Knowledge {
  /**
   * Differences between the leader and any other title larger than ± this lift are ruled out
   * (0.12: ±12 %); null while nothing is ruled out.
   */
  ruledOutBeyond: number | null;
  /**
   * The smallest lift the test, at its current precision, would have found 4 times in 5; for
   * an inconclusive end: "it could have seen a +X % title". Null without information.
   */
  smallestDetectable: number | null;
  /** One sentence for the creator. */
  message: string;
}

/** Options of {@link whatTheTestKnows}: the stop rule's alpha and τ (defaults as in analyze). */
export interface KnowledgeOptions {
  alpha?: number;
  tau?: number;
}

/** One-sided 80 % normal quantile: "found 4 times in 5" at the current precision. */
const Z_80 = 0.8416;

/** Says what a running (or ended) test rules out and the smallest effect it could find. */
export function whatTheTestKnows(analysis: Analysis, options: KnowledgeOptions = {}): Knowledge {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tau = options.tau ?? DEFAULT_TAU;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`tau must be positive, got ${tau}`);
  const k = analysis.variants.length;

  let widest = 0;
  let noisiest = 0;
  let known = analysis.contrasts.length > 0;
  for (const c of analysis.contrasts) {
    if (!(c.variance > 0) || !(c.df > 2)) {
      known = false;
      break;
    }
    const v = (c.variance * c.df) / (c.df - 2);
    widest = Math.max(widest, Math.abs(c.logRatio) + confidenceRadius(v, tau, alpha));
    noisiest = Math.max(noisiest, v);
  }
  if (!known) {
    return {
      ruledOutBeyond: null,
      smallestDetectable: null,
      message: "Too early to rule anything out: the test needs a few more full rounds.",
    };
  }
  const ruledOutBeyond = Math.expm1(widest);
  const boundary = oneSidedBoundaryScore(noisiest, tau, winnerLevel(alpha, k));
  const smallestDetectable = Math.expm1((boundary + Z_80) * Math.sqrt(noisiest));
  const pct = (x: number): string => `${Math.round(100 * x)} %`;
  const message =
    analysis.decision === "inconclusive"
      ? `No title won. Differences larger than ±${pct(ruledOutBeyond)} are ruled out; the test would likely have found a title +${pct(smallestDetectable)} better.`
      : `Differences larger than ±${pct(ruledOutBeyond)} are ruled out so far.`;
  return { ruledOutBeyond, smallestDetectable, message };
}

/** Half-width r(v) of the always-valid confidence sequence (see the module comment). */
export function confidenceRadius(variance: number, tau: number, alpha: number): number {
  const tau2 = tau * tau;
  return Math.sqrt(
    ((2 * variance * (variance + tau2)) / tau2) *
      (Math.log(1 / alpha) + 0.5 * Math.log((variance + tau2) / variance)),
  );
}
