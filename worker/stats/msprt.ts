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
  // In the score z = θ̂/√v, ln Λ⁺ = ln 2 + ½·ln(v/(v + τ²)) + c·z²/2 + ln Φ(√c·z) with
  // c = τ²/(v + τ²): below ln(1/level) at z = 0, increasing for z ≥ 0 and convex (d/dx of φ/Φ
  // lies in (−1, 0)), so Newton's method from a point above the root descends to it without
  // overshooting, in a handful of steps where bisection took sixty.
  const tau2 = tau * tau;
  const c = tau2 / (variance + tau2);
  const a = Math.sqrt(c);
  const constant = Math.LN2 + 0.5 * Math.log(variance / (variance + tau2)) + Math.log(level);
  const excess = (z: number): number => constant + (c * z * z) / 2;
  let z = 1;
  while (excess(z) + normalLogCdf(a * z) < 0) z *= 2;
  for (let i = 0; i < 100; i++) {
    const logCdf = normalLogCdf(a * z);
    const value = excess(z) + logCdf;
    // φ(az)/Φ(az), in logs: Φ underflows long before the ratio does.
    const mills = Math.exp(-0.5 * a * a * z * z - 0.5 * Math.log(2 * Math.PI) - logCdf);
    const step = value / (c * z + a * mills);
    if (!(step > 1e-15 * z)) break;
    z -= step;
  }
  return z;
}
