/**
 * The calibration grid's traffic generator, written apart from the emulator's and from the
 * engine's test simulations so that the grid checks the engine against a model nobody tuned
 * it on. Views of a video in an hour have the mean
 *   viewsPerDay / 24 · diurnal · weekly · ageing · burst
 * diurnal = 1 + d·cos(2π(hour − 18)/24) (peak at 18:00 UTC), weekly = 1 + w·cos(2π·day/7),
 * ageing = 2^(−age / halfLife), burst ~ Gamma(shape, mean 1) drawn once per hour (none when the
 * shape is infinite). The title live multiplies the mean by its true effect; the count of a
 * slot is Poisson given its mean (slots shorter than an hour share the hour's burst).
 */

/** A seeded uniform source on [0, 1) (xoshiro128**, 128-bit state). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // SplitMix32 expands the seed so that nearby seeds give unrelated streams.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }

  /** A uniform draw on [0, 1). */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result / 4294967296;
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** A Gamma(shape, scale 1) draw (Marsaglia–Tsang; shape < 1 by boosting). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.next()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** A Poisson draw: inversion for small means, Hörmann's PTRS rejection for large ones. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 12) {
      let k = 0;
      let p = Math.exp(-mean);
      let cumulative = p;
      const u = this.next();
      while (u > cumulative && k < 1000) {
        k++;
        p *= mean / k;
        cumulative += p;
      }
      return k;
    }
    const sq = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * sq;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      ) {
        return k;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** ln k! by Stirling's series (exact table below 16). */
function logFactorial(k: number): number {
  if (k < 16) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}

/** The traffic of one video during a test. */
export interface Traffic {
  viewsPerDay: number;
  /** Hourly burst Gamma shape; Infinity for none (pure Poisson). */
  burstShape: number;
  /** Day/night swing d (0.6 = ±60 %). */
  diurnal: number;
  /** Weekly swing w (0.3 = ±30 %). */
  weekly: number;
  /** Half-life of the video's decay in days. */
  halfLifeDays: number;
}

/**
 * Expected views per hour for each hour of a run (bursts included), starting at a random hour
 * of the week.
 */
export function hourlyMeans(traffic: Traffic, hours: number, rng: Rng): Float64Array {
  const start = Math.floor(rng.next() * 168);
  const out = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const clock = start + h;
    const diurnal = 1 + traffic.diurnal * Math.cos((2 * Math.PI * ((clock % 24) - 18)) / 24);
    const weekly = 1 + traffic.weekly * Math.cos((2 * Math.PI * Math.floor(clock / 24)) / 7);
    const ageing = 2 ** (-h / 24 / traffic.halfLifeDays);
    const burst = Number.isFinite(traffic.burstShape)
      ? rng.gamma(traffic.burstShape) / traffic.burstShape
      : 1;
    out[h] = (traffic.viewsPerDay / 24) * diurnal * weekly * ageing * burst;
  }
  return out;
}
