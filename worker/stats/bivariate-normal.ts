/**
 * The bivariate normal upper orthant probability, by Genz's method ("Numerical computation of
 * rectangular bivariate and trivariate normal and t probabilities", Statistics and Computing 14,
 * 2004: Drezner and Wesolowsky's integral in ρ, with Gauss–Legendre rules of 6, 12 or 20 points as
 * |ρ| grows, and a series for |ρ| near 1). Accurate to about 1e-7 here, the precision of Φ below.
 */
import { normalLogCdf } from "./distributions";

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  return Math.exp(normalLogCdf(x));
}

/** Half of each symmetric Gauss–Legendre rule (6, 12 and 20 points): nodes below 0, and weights. */
const RULES: ReadonlyArray<{ nodes: readonly number[]; weights: readonly number[] }> = [
  {
    nodes: [-0.932469514203152, -0.6612093864662645, -0.238619186083197],
    weights: [0.1713244923791705, 0.3607615730481384, 0.4679139345726904],
  },
  {
    nodes: [
      -0.9815606342467191, -0.904117256370475, -0.769902674194305, -0.5873179542866171, -0.3678314989981802,
      -0.1252334085114692,
    ],
    weights: [
      0.04717533638651177, 0.1069393259953183, 0.1600783285433464, 0.2031674267230659, 0.2334925365383547,
      0.2491470458134029,
    ],
  },
  {
    nodes: [
      -0.9931285991850949, -0.9639719272779138, -0.9122344282513259, -0.8391169718222188, -0.7463319064601508,
      -0.636053680726515, -0.5108670019508271, -0.3737060887154196, -0.2277858511416451, -0.07652652113349732,
    ],
    weights: [
      0.01761400713915212, 0.04060142980038694, 0.06267204833410905, 0.08327674157670475, 0.1019301198172404,
      0.1181945319615184, 0.1316886384491766, 0.1420961093183821, 0.1491729864726037, 0.1527533871307259,
    ],
  },
];

const TWO_PI = 2 * Math.PI;

/** P(X > h, Y > k) for standard normals X, Y with correlation `r` (−1 ≤ r ≤ 1). */
export function bivariateNormalUpper(h: number, k: number, r: number): number {
  const rule = RULES[Math.abs(r) < 0.3 ? 0 : Math.abs(r) < 0.75 ? 1 : 2] as (typeof RULES)[number];
  let hk = h * k;
  let bvn = 0;
  if (Math.abs(r) < 0.925) {
    const hs = (h * h + k * k) / 2;
    const asr = Math.asin(r);
    rule.nodes.forEach((x, i) => {
      const w = rule.weights[i] ?? 0;
      for (const sign of [-1, 1]) {
        const sn = Math.sin((asr * (1 + sign * x)) / 2);
        bvn += w * Math.exp((sn * hk - hs) / (1 - sn * sn));
      }
    });
    return Math.min(1, Math.max(0, (bvn * asr) / (2 * TWO_PI) + normalCdf(-h) * normalCdf(-k)));
  }
  let kk = k;
  if (r < 0) {
    kk = -k;
    hk = -hk;
  }
  if (Math.abs(r) < 1) {
    const as = (1 - r) * (1 + r);
    let a = Math.sqrt(as);
    const bs = (h - kk) ** 2;
    const c = (4 - hk) / 8;
    const d = (12 - hk) / 16;
    bvn =
      a *
      Math.exp(-(bs / as + hk) / 2) *
      (1 - (c * (bs - as) * (1 - (d * bs) / 5)) / 3 + (c * d * as * as) / 5);
    if (hk > -160) {
      const b = Math.sqrt(bs);
      bvn -=
        Math.exp(-hk / 2) *
        Math.sqrt(TWO_PI) *
        normalCdf(-b / a) *
        b *
        (1 - (c * bs * (1 - (d * bs) / 5)) / 3);
    }
    a /= 2;
    rule.nodes.forEach((x, i) => {
      const w = rule.weights[i] ?? 0;
      for (const sign of [-1, 1]) {
        const xs = (a * (sign * x + 1)) ** 2;
        const rs = Math.sqrt(1 - xs);
        const exponent = -(bs / xs + hk) / 2;
        if (exponent > -100) {
          bvn +=
            a *
            w *
            Math.exp(exponent) *
            (Math.exp((-hk * (1 - rs)) / (2 * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
        }
      }
    });
    bvn = -bvn / TWO_PI;
  }
  if (r > 0) {
    bvn += normalCdf(-Math.max(h, kk));
  } else {
    bvn = -bvn;
    if (kk > h) bvn += normalCdf(kk) - normalCdf(h);
  }
  return Math.min(1, Math.max(0, bvn));
}
