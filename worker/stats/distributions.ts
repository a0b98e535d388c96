/**
 * The few distribution functions the engine needs: Student's t tail and the normal
 * quantile, used to carry the uncertainty of an estimated dispersion into the normal-theory
 * stop rule.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-14). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** The regularised incomplete beta function I_x(a, b) (continued fraction, Lentz's method). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) + logGamma(a + b) - logGamma(a) - logGamma(b));
  // The continued fraction converges fast only for x < (a+1)/(a+b+2); use symmetry beyond.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let numerator = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    numerator = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return result;
}

/** P(|T| ≥ |t|) for Student's t with `df` > 0 degrees of freedom. */
export function studentTwoSidedTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation,
 * relative error below 1.2e-9 — ample for converting p-values).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return tailRatio(q);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -tailRatio(q);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r +
      1.38357751867269e2) *
      r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r +
      6.680131188771972e1) *
      r -
      1.328068155288572e1) *
      r +
      1)
  );
}

function tailRatio(q: number): number {
  return (
    (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) *
      q +
      4.374664141464968) *
      q +
      2.938163982698783) /
    ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) *
      q +
      1)
  );
}

/**
 * The normal score with the same two-sided tail probability as `t` under Student's t with
 * `df` degrees of freedom (sign kept). A Wald statistic whose variance includes an estimated
 * dispersion is t-distributed, not normal; feeding its normal equivalent to a normal-theory
 * test keeps that test's error rate when the dispersion rests on few residual df.
 */
export function tToNormalScore(t: number, df: number): number {
  if (!(df > 0)) return 0; // nothing to estimate the noise from: no evidence
  if (!Number.isFinite(df)) return t;
  const tail = studentTwoSidedTail(t, df);
  // Beyond ~1e-300 the tail underflows; the evidence is then overwhelming either way.
  if (tail <= 0) return t;
  const score = -normalQuantile(tail / 2);
  return Math.sign(t) * Math.min(Math.abs(t), score);
}

/**
 * ln Φ(x), the log of the standard normal CDF, accurate far into the lower tail (where Φ
 * itself underflows). Built on the Numerical Recipes `erfcc` form erfc(z) = t·exp(−z² + P(t)),
 * fractional error below 1.2e-7, whose logarithm is available without forming the tiny value.
 */
export function normalLogCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  // Φ(x) = erfc(−x/√2) / 2.
  const z = Math.abs(x) / Math.SQRT2;
  const logUpperTail = Math.log(0.5) + logErfc(z); // ln(1 − Φ(|x|)) = ln Φ(−|x|)
  return x < 0 ? logUpperTail : Math.log1p(-Math.exp(logUpperTail));
}

/** ln erfc(z) for z ≥ 0 (Numerical Recipes, Chebyshev fit; fractional error below 1.2e-7). */
function logErfc(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const polynomial =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - z * z + polynomial;
}
