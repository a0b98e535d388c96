/**
 * The always-valid test behind the stop rule: a mixture sequential probability ratio test
 * (Robbins; Johari et al., "Always valid inference", 2017) on a normally distributed
 * estimate, so creators may look at results after every slot without inflating errors.
 */
import { normalLogCdf } from "./distributions";

/**
 * Log of the mixture likelihood ratio Λ for an estimate θ̂ with variance v against θ = 0,
 * mixing over θ ~ N(0, τ²):  Λ = sqrt(v / (v + τ²)) · exp(θ̂² τ² / (2 v (v + τ²))).
 * Computed in logs so that overwhelming evidence does not overflow.
 */
export function mixtureLogLikelihoodRatio(estimate: number, variance: number, tau: number): number {
  const tau2 = tau * tau;
  return (
    0.5 * Math.log(variance / (variance + tau2)) +
    (estimate * estimate * tau2) / (2 * variance * (variance + tau2))
  );
}

/**
 * The always-valid p-value min(1, 1/Λ) of θ = 0 given the current estimate. Without a usable
 * variance (no information) it is 1: no evidence either way.
 */
export function alwaysValidPValue(estimate: number, variance: number, tau: number): number {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`tau must be positive, got ${tau}`);
  if (!(variance > 0) || !Number.isFinite(variance) || !Number.isFinite(estimate)) return 1;
  return Math.min(1, Math.exp(-mixtureLogLikelihoodRatio(estimate, variance, tau)));
}

/**
 * Log of the one-sided mixture likelihood ratio Λ⁺ for H0: θ ≤ 0 against θ > 0, mixing the
 * normal likelihood ratio of θ against 0 over the half-normal θ ~ |N(0, τ²)|:
 *   Λ⁺ = 2 · sqrt(v / (v + τ²)) · exp(θ̂² τ² / (2 v (v + τ²))) · Φ(θ̂ τ / sqrt(v (v + τ²))).
 * Every component ratio exp(θ·S − θ²·I/2) with θ > 0 is a supermartingale under any θ' ≤ 0
 * (the drift only lowers it), so the mixture is one too and Ville's inequality applies to the
 * whole composite null, not just θ = 0. All the mixing mass sits on the alternative that
 * matters — a winner must be better, not merely different — which is what buys the power
 * over the symmetric mixture: for the same evidence Λ⁺ ≈ 2Λ when θ̂ is clearly positive.
 */
export function oneSidedMixtureLogLikelihoodRatio(estimate: number, variance: number, tau: number): number {
  const tau2 = tau * tau;
  return (
    Math.LN2 +
    mixtureLogLikelihoodRatio(estimate, variance, tau) +
    normalLogCdf((estimate * tau) / Math.sqrt(variance * (variance + tau2)))
  );
}

/**
 * The always-valid one-sided p-value min(1, 1/Λ⁺) of H0: θ ≤ 0 (see
 * {@link oneSidedMixtureLogLikelihoodRatio}). Without a usable variance it is 1.
 */
export function oneSidedAlwaysValidPValue(estimate: number, variance: number, tau: number): number {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`tau must be positive, got ${tau}`);
  if (!(variance > 0) || !Number.isFinite(variance) || !Number.isFinite(estimate)) return 1;
  return Math.min(1, Math.exp(-oneSidedMixtureLogLikelihoodRatio(estimate, variance, tau)));
}

/**
 * The smallest normal score z at which the one-sided always-valid p-value of an estimate with
 * variance `variance` reaches `level`: the stop rule's boundary in units of the standard error.
 * It grows slowly as the variance shrinks (the price of looking continuously), e.g. about 3.1
 * at level 0.025 with τ = 0.3 and a standard error of 0.06.
 */
export function oneSidedBoundaryScore(variance: number, tau: number, level: number): number {
  if (!(variance > 0) || !(tau > 0) || !(level > 0 && level < 1)) {
    throw new RangeError("variance, tau must be positive and level in (0, 1)");
  }
  const target = -Math.log(level);
  const se = Math.sqrt(variance);
  let low = 0;
  let high = 1;
  while (oneSidedMixtureLogLikelihoodRatio(high * se, variance, tau) < target) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (oneSidedMixtureLogLikelihoodRatio(mid * se, variance, tau) < target) low = mid;
    else high = mid;
  }
  return high;
}
