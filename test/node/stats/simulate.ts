/**
 * Traffic simulation for the statistics engine's operating characteristics.
 *
 * The traffic model, stated once: expected views per hour are
 *   viewsPerDay / 24 · diurnal · weekly · ageing · burst
 * with a diurnal cycle of ±60 % (peak 18:00 UTC), a weekly cycle of ±25 %, ageing decay
 * exp(−age / 10 days), and over-dispersion: each hour's mean is multiplied by an independent
 * Gamma(shape 5, mean 1) draw. The title live in an hour multiplies that hour's mean by its
 * true effect, and the views are Poisson given the mean. Each run starts at a random hour of
 * the week.
 */

import type { AnalyzeOptions, Slot } from "../../../worker/stats/analyze";
import { analyze } from "../../../worker/stats/analyze";
import type { Random } from "../../../worker/stats/random";
import { createSchedule } from "../../../worker/stats/schedule";

/** A standard normal draw (Box–Muller; the second value is dropped for simplicity). */
export function sampleNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** A Gamma(shape, scale) draw by Marsaglia & Tsang (2000), boosted for shape < 1. */
export function sampleGamma(random: Random, shape: number, scale: number): number {
  if (!(shape > 0) || !(scale > 0)) throw new RangeError("shape and scale must be positive");
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) · U^(1/a).
    return sampleGamma(random, shape + 1, scale) * (1 - random.next()) ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

/**
 * A Poisson(mean) draw by inversion (sequential search). Means above 30 are split into equal
 * parts whose Poisson draws are summed — exact, since a sum of independent Poissons is
 * Poisson — which keeps exp(−mean) far from underflow.
 */
export function samplePoisson(random: Random, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean))
    throw new RangeError(`mean must be finite and >= 0, got ${mean}`);
  const parts = Math.max(1, Math.ceil(mean / 30));
  const part = mean / parts;
  let total = 0;
  for (let i = 0; i < parts; i++) {
    const u = random.next();
    let k = 0;
    let probability = Math.exp(-part);
    let cumulative = probability;
    while (u >= cumulative && probability > 0) {
      k++;
      probability *= part / k;
      cumulative += probability;
    }
    total += k;
  }
  return total;
}

/** Parameters of the traffic model (defaults are the stated model). */
export interface TrafficModel {
  viewsPerDay: number;
  diurnalAmplitude?: number;
  weeklyAmplitude?: number;
  decayDays?: number;
  burstShape?: number;
}

/** Expected views per hour (before the title's effect) for `hours` hours from a random start. */
export function simulateTraffic(random: Random, hours: number, model: TrafficModel): Float64Array {
  const diurnal = model.diurnalAmplitude ?? 0.6;
  const weekly = model.weeklyAmplitude ?? 0.25;
  const decayDays = model.decayDays ?? 10;
  const burstShape = model.burstShape ?? 5;
  const start = Math.floor(random.next() * 24 * 7);
  const means = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const clock = start + h;
    const level =
      (model.viewsPerDay / 24) *
      (1 + diurnal * Math.sin((2 * Math.PI * (clock - 12)) / 24)) *
      (1 + weekly * Math.sin((2 * Math.PI * clock) / (24 * 7))) *
      Math.exp(-h / (24 * decayDays));
    means[h] = level * sampleGamma(random, burstShape, 1 / burstShape);
  }
  return means;
}

/** What a monitored test ended with. */
export interface RunOutcome {
  winner: number | null;
  /** Hours of data when the test stopped (all of them when no winner was declared). */
  hours: number;
}

/**
 * The slots of a switchback test on `traffic`: hourly slots, blocks of K hours in the order of
 * {@link createSchedule}, Poisson views given each hour's mean times the live title's effect.
 */
export function simulateSlots(traffic: Float64Array, effects: readonly number[], random: Random): Slot[] {
  const k = effects.length;
  const schedule = createSchedule(k, Math.ceil(traffic.length / k), random).flat();
  const slots: Slot[] = [];
  for (let h = 0; h < traffic.length; h++) {
    const variant = schedule[h] ?? 0;
    const count = samplePoisson(random, (traffic[h] ?? 0) * (effects[variant] ?? 1));
    slots.push({ variant, block: Math.floor(h / k), count, exposure: 1 });
  }
  return slots;
}

/**
 * Runs the product's method: hourly switchback slots, `analyze` after every completed block,
 * stopping at the first `winner`. `effects[v]` multiplies the traffic while variant v is live.
 */
export function runSwitchback(
  traffic: Float64Array,
  effects: readonly number[],
  random: Random,
  options: AnalyzeOptions = {},
): RunOutcome {
  const k = effects.length;
  // The views of later hours do not influence earlier analyses: each one sees a prefix.
  const slots = simulateSlots(traffic, effects, random);
  for (let h = k; h <= slots.length; h += k) {
    const analysis = analyze(k, slots.slice(0, h), options);
    if (analysis.decision === "winner") return { winner: analysis.winner, hours: h };
  }
  return { winner: null, hours: traffic.length };
}

/**
 * The naive method many creators use: swap daily in a fixed order (0, 1, 2, 0, …) and call
 * the title with the most total views the winner. It always names a winner.
 */
export function runNaive(traffic: Float64Array, effects: readonly number[], random: Random): RunOutcome {
  const k = effects.length;
  const totals = new Array<number>(k).fill(0);
  for (let h = 0; h < traffic.length; h++) {
    const variant = Math.floor(h / 24) % k;
    totals[variant] =
      (totals[variant] ?? 0) + samplePoisson(random, (traffic[h] ?? 0) * (effects[variant] ?? 1));
  }
  let winner = 0;
  for (let v = 1; v < k; v++) if ((totals[v] ?? 0) > (totals[winner] ?? 0)) winner = v;
  return { winner, hours: traffic.length };
}
