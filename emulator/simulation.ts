import { DAY_MS, HOUR_MS, pacificHour } from "./pacific-time";
import { gammaMeanOne, hashString, mix, uniforms } from "./random";

/**
 * The viewer simulation, as pure functions. Nothing runs in the background: a count is computed
 * from the video's parameters, its title timeline and a seed whenever it is read.
 *
 * Per simulated hour h the video gets an expected number of impressions (traffic level × diurnal
 * curve in Pacific time × ageing decay). Each impression turns into a view with the hidden CTR of
 * the title live at that moment, so expected views in the hour are Σ over title segments of
 * impressions × CTR. One seeded Gamma draw per (video, hour) scales both impressions and views:
 * over-dispersed (negative-binomial-like) noise that is identical on every read. A completed hour
 * contributes round(g·Λ); the hour in progress contributes floor(g·Λ(t)), which grows with t and
 * never exceeds the completed value: view counts are monotone in time.
 */

/** What the simulation needs to know about a video. Times are simulated ms since the epoch. */
export interface SimVideo {
  seed: number;
  /** Mean views a day at the reference CTR when the video entered the emulator. */
  viewsPerDay: number;
  publishedAt: number;
  /** Accrual starts here (views before it are the video's initial count). */
  createdAt: number;
  durationSeconds: number;
}

/** A title and the simulated instant it went live (after propagation). Sorted by `effectiveAt`. */
export interface TitleSpan {
  title: string;
  effectiveAt: number;
}

/** An admin-set CTR for a title, in force from `from` (an hour boundary) on. */
export interface CtrOverride {
  title: string;
  ctr: number;
  from: number;
}

/** Counts accrued over a window. */
export interface Accrued {
  views: number;
  impressions: number;
  watchSeconds: number;
}

/** CTR at which `viewsPerDay` is quoted: impressions = views / REFERENCE_CTR. */
export const REFERENCE_CTR = 0.05;
/** Gamma shape of the extra-Poisson noise: coefficient of variation 1/√8 ≈ 35 % per hour at large counts. */
const DISPERSION_SHAPE = 8;
const DIURNAL_AMPLITUDE = 0.45;
const DIURNAL_PEAK_HOUR = 19;
const AGEING_DAYS = 20;
const AGEING_POWER = 0.8;

/** The hidden CTR of a title with no admin override: 3–8 %, derived from the text by a hash. */
export function hiddenCtr(title: string): number {
  return 0.03 + 0.05 * (hashString(title) / 4294967296);
}

/** Average share of the video a view watches (35–60 %), fixed per video. */
export function retention(seed: number): number {
  return 0.35 + 0.25 * uniforms(mix(seed, 0x7e7e))();
}

/** Likes per view (2–6 %), fixed per video. */
export function likeRate(seed: number): number {
  return 0.02 + 0.04 * uniforms(mix(seed, 0x1111))();
}

/** Traffic multiplier by Pacific hour of day; averages 1 over a day, peaks in the evening. */
export function diurnal(ms: number): number {
  return 1 + DIURNAL_AMPLITUDE * Math.cos((2 * Math.PI * (pacificHour(ms) - DIURNAL_PEAK_HOUR)) / 24);
}

/** Traffic multiplier for age: 1 when the video entered the emulator, decaying as it gets older. */
export function ageing(video: SimVideo, ms: number): number {
  const ageAt = (t: number) => Math.max(0, t - video.publishedAt) / DAY_MS;
  return ((1 + ageAt(video.createdAt) / AGEING_DAYS) / (1 + ageAt(ms) / AGEING_DAYS)) ** AGEING_POWER;
}

/** The CTR of `title` at instant `at`: the newest override in force, else the hidden one. */
export function ctrAt(title: string, at: number, overrides: readonly CtrOverride[]): number {
  let best: CtrOverride | undefined;
  for (const o of overrides) {
    if (o.title === title && o.from <= at && (!best || o.from >= best.from)) best = o;
  }
  return best ? best.ctr : hiddenCtr(title);
}

function hourNoise(video: SimVideo, hour: number, expectedViews: number): number {
  // Shape 1/(1/K + 1/λ): variance ≈ λ + λ²/K, the negative binomial's, so small counts stay noisy.
  const shape = 1 / (1 / DISPERSION_SHAPE + 1 / Math.max(expectedViews, 1e-6));
  return gammaMeanOne(uniforms(mix(video.seed, hour)), shape);
}

/**
 * Views, impressions and watch time accrued in [from, to). Hour windows are anchored at hour
 * boundaries (and at `createdAt`), so the same instant always yields the same counts.
 */
export function accrue(
  video: SimVideo,
  titles: readonly TitleSpan[],
  overrides: readonly CtrOverride[],
  from: number,
  to: number,
): Accrued {
  const start = Math.max(from, video.createdAt);
  const out: Accrued = { views: 0, impressions: 0, watchSeconds: 0 };
  if (to <= start || titles.length === 0) return out;
  const perViewSeconds = video.durationSeconds * retention(video.seed);
  const basePerHour = video.viewsPerDay / REFERENCE_CTR / 24;
  let span = 0;
  for (let hour = Math.floor(start / HOUR_MS); hour * HOUR_MS < to; hour++) {
    const hourStart = hour * HOUR_MS;
    const hourEnd = hourStart + HOUR_MS;
    const a = Math.max(hourStart, video.createdAt);
    const b = Math.min(hourEnd, to);
    if (b <= a) continue;
    const impressionsPerMs = (basePerHour * diurnal(hourStart) * ageing(video, hourStart)) / HOUR_MS;
    // Walk the title segments inside [a, b).
    while (span + 1 < titles.length && (titles[span + 1] as TitleSpan).effectiveAt <= a) span++;
    let expectedViews = 0;
    let cursor = a;
    let i = span;
    while (cursor < b) {
      const current = titles[i] as TitleSpan;
      const nextAt =
        i + 1 < titles.length ? (titles[i + 1] as TitleSpan).effectiveAt : Number.POSITIVE_INFINITY;
      const segEnd = Math.min(b, nextAt);
      if (segEnd > cursor) {
        expectedViews += impressionsPerMs * (segEnd - cursor) * ctrAt(current.title, hourStart, overrides);
      }
      cursor = segEnd;
      if (cursor < b) i++;
    }
    const expectedImpressions = impressionsPerMs * (b - a);
    const g = hourNoise(video, hour, impressionsPerMs * HOUR_MS * REFERENCE_CTR);
    const complete = to >= hourEnd;
    const settle = complete ? Math.round : Math.floor;
    const views = settle(g * expectedViews);
    out.views += views;
    out.impressions += Math.max(views, settle(g * expectedImpressions));
    out.watchSeconds += Math.round(views * perViewSeconds);
  }
  return out;
}
