/**
 * The test planner: from a video's recent daily views, the number of titles and the rotation
 * interval, how long a test needs to find a title that earns +10/+20/+50 % more views, and
 * advice when that is too long. Pure.
 *
 * The stop rule is the engine's own (./msprt.ts boundary at level alpha/K, the same τ and
 * minimum of blocks); the variance it is applied to is a model of the one the engine measures,
 * built from the calibration grid's traffic model (bench/stats/traffic.ts; DIURNAL and WEEKLY
 * below are the swings of its cells, bench/stats/cells.ts): hourly views with a day/night
 * swing, a weekly swing, the video's decay and Gamma bursts per hour. After n blocks the variance of a log rate
 * ratio between two titles is 2 / Σ_b 1/r_b, where r_b, the relative variance of one slot's
 * views in block b, is
 *   1/μ_s · (1 + μ_h · g / shape)          Poisson counting plus the hour's burst
 *   + T²/2                                  level changes between the slots of a block
 * with μ_s the views of a slot, μ_h those of an hour, g the share of the burst that does not
 * cancel between the slots of a block (1 for slots of an hour or more; about K·I for shorter
 * slots of I hours, whose neighbours share the hour), and T the root-mean-square relative
 * change of the traffic level between two slots of a block (diurnal, weekly, decay) at their
 * typical distance (K + 1)/3 slots.
 * The chance that a lift δ = log(1 + lift) is found by day t is that of a Brownian motion with
 * drift reaching, by then, a flat boundary at the height the stop rule's boundary has at day t:
 * with m = δ/√v(t) and b that boundary as a normal score,
 *   P = Φ(m − b) + e^{2mb}·Φ(−m − b).
 * An approximation that errs both ways: the real boundary is lower at earlier looks (the plan
 * leans long), but the plan follows one pairwise contrast where a winner must beat every rival,
 * and ignores the t-reference on few degrees of freedom (it leans short, the more so with more
 * titles). Against the grid (docs/STATISTICS.md): two titles, hourly, 500 views a day, +50 %:
 * a median 2.3 days, the grid 2.7; five titles: +50 % in 80 % of tests by 12.5 days, the
 * grid found 43 % within 14.
 */
import { DEFAULT_ALPHA, DEFAULT_MIN_BLOCKS, DEFAULT_TAU, winnerLevel } from "./analyze";
import { normalLogCdf } from "./distributions";
import { oneSidedBoundaryScore } from "./msprt";

/** What the planner needs to know about a test. */
export interface PlanInput {
  /** Views per day over the recent past, oldest first (daily view-count deltas); 1–90 days. */
  dailyViews: readonly number[];
  /** Titles in the test, the original included: 2–5. */
  variants: number;
  /** Rotation interval in minutes: 15–1440. */
  intervalMinutes: number;
  /** Hourly burst Gamma shape to assume (smaller: burstier); default 5, typical of videos. */
  burstShape?: number;
  /** The longest test to consider in days; default 30. */
  maxDays?: number;
}

/** How long a test needs for one effect. */
export interface PlanEffect {
  /** The title's lift over the others (0.2 = +20 % views). */
  lift: number;
  /** Days by which such a title is found in about half of tests (null: not within maxDays). */
  medianDays: number | null;
  /** Days by which it is found in about 80 % of tests (null: not within maxDays). */
  likelyDays: number | null;
}

/** One piece of advice, with a code for the SPA and a sentence for the creator. */
export interface PlanAdvice {
  code: "fewer-titles" | "longer-interval" | "shorter-interval" | "too-little-traffic";
  message: string;
}

/** The planner's answer. */
export interface Plan {
  /** Views per day expected at the start of the test (the recent level). */
  viewsPerDay: number;
  /** Half-life of the video's decline in days, from the recent views (null: not declining). */
  halfLifeDays: number | null;
  /** +10 %, +20 %, +50 %. */
  effects: PlanEffect[];
  /** The smallest lift found in 80 % of tests within maxDays (null: none up to +500 %). */
  smallestLikelyLift: number | null;
  advice: PlanAdvice[];
}

/** The lifts every plan reports. */
const PLAN_LIFTS = [0.1, 0.2, 0.5] as const;
const DEFAULT_BURST_SHAPE = 5;
const DEFAULT_MAX_DAYS = 30;
const DIURNAL = 0.6;
const WEEKLY = 0.3;
/** "Likely": found in this share of tests. */
const LIKELY = 0.8;
/** Lifts beyond this one are not looked for. */
const LARGEST_LIFT = 5;
/** A test whose smallest likely lift within maxDays is above this has too little traffic. */
const TOO_LITTLE_TRAFFIC_LIFT = 0.3;

/**
 * Plans a test. @throws RangeError on input out of the ranges documented on {@link PlanInput}.
 */
export function planTest(input: PlanInput): Plan {
  const { level, halfLife, burstShape, maxDays } = validate(input);
  const plan = (variants: number, intervalMinutes: number) =>
    planFor({ variants, intervalMinutes, burstShape, maxDays }, level, halfLife);
  const base = plan(input.variants, input.intervalMinutes);
  const advice: PlanAdvice[] = [];

  if (input.variants > 2) {
    const two = plan(2, input.intervalMinutes);
    if (improves(two.smallestLikelyLift, base.smallestLikelyLift)) {
      advice.push({
        code: "fewer-titles",
        message: `Fewer titles: with 2 instead of ${input.variants}, a ${percent(two.smallestLikelyLift)} better title would likely be found within ${maxDays} days (now ${percent(base.smallestLikelyLift)}).`,
      });
    }
  }
  const slotViews = (level / 24) * (input.intervalMinutes / 60);
  if (input.intervalMinutes < 60 && slotViews < 1) {
    const hours = Math.min(24, Math.max(1, Math.ceil(24 / Math.max(level, 1))));
    advice.push({
      code: "longer-interval",
      message: `A longer interval: each ${input.intervalMinutes}-minute slot would see ${slotViews.toFixed(1)} views on average, so most slots measure nothing; an interval of ${hours} h or more gives each slot at least one view and needs far fewer title changes.`,
    });
  }
  if (input.intervalMinutes >= 360) {
    const hourly = plan(input.variants, 60);
    if (improves(hourly.smallestLikelyLift, base.smallestLikelyLift)) {
      advice.push({
        code: "shorter-interval",
        message: `A shorter interval: with ${input.intervalMinutes / 60}-hour slots the day-to-day swings of traffic add noise; hourly slots would likely find a ${percent(hourly.smallestLikelyLift)} better title within ${maxDays} days (now ${percent(base.smallestLikelyLift)}).`,
      });
    }
  }
  if (base.smallestLikelyLift === null || base.smallestLikelyLift > TOO_LITTLE_TRAFFIC_LIFT) {
    const floor = base.smallestLikelyLift === null ? "+500 %" : percent(base.smallestLikelyLift);
    advice.push({
      code: "too-little-traffic",
      message: `This video has too little traffic to find a title less than ${floor} better within ${maxDays} days.`,
    });
  }
  return { viewsPerDay: level, halfLifeDays: Number.isFinite(halfLife) ? halfLife : null, ...base, advice };
}

function improves(better: number | null, current: number | null): boolean {
  if (better === null) return false;
  return current === null || better < 0.85 * current;
}

function percent(lift: number | null): string {
  return lift === null ? "more than +500 %" : `+${Math.round(100 * lift)} %`;
}

interface Resolved {
  level: number;
  halfLife: number;
  burstShape: number;
  maxDays: number;
}

function validate(input: PlanInput): Resolved {
  const { dailyViews, variants, intervalMinutes } = input;
  if (!Array.isArray(dailyViews) || dailyViews.length < 1 || dailyViews.length > 90) {
    throw new RangeError("dailyViews must hold 1 to 90 days");
  }
  for (const v of dailyViews) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`daily views must be finite and >= 0, got ${v}`);
  }
  if (!Number.isInteger(variants) || variants < 2 || variants > 5) {
    throw new RangeError(`variants must be an integer in 2..5, got ${variants}`);
  }
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 15 || intervalMinutes > 1440) {
    throw new RangeError(`intervalMinutes must be an integer in 15..1440, got ${intervalMinutes}`);
  }
  const burstShape = input.burstShape ?? DEFAULT_BURST_SHAPE;
  if (!(burstShape > 0)) throw new RangeError(`burstShape must be positive, got ${burstShape}`);
  const maxDays = input.maxDays ?? DEFAULT_MAX_DAYS;
  if (!Number.isFinite(maxDays) || maxDays < 1 || maxDays > 90) {
    throw new RangeError(`maxDays must be in 1..90, got ${maxDays}`);
  }
  return { ...trafficLevel(dailyViews), burstShape, maxDays };
}

/**
 * The level now and the half-life of the decline: a least-squares line through log(1 + views)
 * of the last 14 days, evaluated at the last day. A rising or flat video is taken as flat (a
 * test should not count on growth); half-lives under a day are floored at one day.
 */
function trafficLevel(dailyViews: readonly number[]): { level: number; halfLife: number } {
  const recent = dailyViews.slice(-14);
  const n = recent.length;
  const ys = recent.map((v) => Math.log1p(v));
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxx > 0 ? Math.min(0, sxy / sxx) : 0;
  const level = Math.max(0, Math.expm1(meanY + slope * (n - 1 - meanX)));
  const halfLife = slope < 0 ? Math.max(1, -Math.LN2 / slope) : Number.POSITIVE_INFINITY;
  return { level, halfLife };
}

interface Scenario {
  variants: number;
  intervalMinutes: number;
  burstShape: number;
  maxDays: number;
}

function planFor(
  scenario: Scenario,
  level: number,
  halfLife: number,
): { effects: PlanEffect[]; smallestLikelyLift: number | null } {
  const curve = varianceCurve(scenario, level, halfLife);
  const alphaLevel = winnerLevel(DEFAULT_ALPHA, scenario.variants);
  // The stop rule's boundary at each look, as a normal score. As in analyze(), no decision
  // before the minimum of complete blocks, nor before the between-block variance has a degree
  // of freedom (more blocks than the K − 1 ratios it estimates).
  const firstLook = Math.max(DEFAULT_MIN_BLOCKS, scenario.variants);
  const boundary = curve.map((p) =>
    p.blocks >= firstLook && p.variance > 0
      ? oneSidedBoundaryScore(p.variance, DEFAULT_TAU, alphaLevel)
      : Number.POSITIVE_INFINITY,
  );
  const chance = (lift: number, i: number): number => {
    const point = curve[i];
    if (point === undefined || !(point.variance > 0)) return 0;
    return crossingChance(Math.log1p(lift) / Math.sqrt(point.variance), boundary[i] as number);
  };
  const firstDay = (lift: number, share: number): number | null => {
    for (let i = 0; i < curve.length; i++) {
      if (chance(lift, i) >= share) return round((curve[i] as { days: number }).days);
    }
    return null;
  };
  const effects = PLAN_LIFTS.map((lift) => ({
    lift,
    medianDays: firstDay(lift, 0.5),
    likelyDays: firstDay(lift, LIKELY),
  }));
  // The smallest lift likely found by the last look: bisection on the log lift.
  const last = curve.length - 1;
  let smallestLikelyLift: number | null = null;
  if (chance(LARGEST_LIFT, last) >= LIKELY) {
    let low = 0;
    let high = Math.log1p(LARGEST_LIFT);
    for (let i = 0; i < 50; i++) {
      const mid = (low + high) / 2;
      if (chance(Math.expm1(mid), last) >= LIKELY) high = mid;
      else low = mid;
    }
    smallestLikelyLift = Math.expm1(high);
  }
  return { effects, smallestLikelyLift };
}

/**
 * P(a Brownian motion with drift reaching m by the end ever reaches b) in normal-score units:
 * Φ(m − b) + e^{2mb}·Φ(−m − b), the second term in logs (it is a product of a huge and a tiny
 * number when m·b is large).
 */
export function crossingChance(m: number, b: number): number {
  if (!Number.isFinite(b)) return 0;
  const direct = Math.exp(normalLogCdf(m - b));
  const reflected = Math.exp(2 * m * b + normalLogCdf(-m - b));
  return Math.min(1, direct + reflected);
}

function round(days: number): number {
  return Math.round(days * 10) / 10;
}

/**
 * The variance of a log rate ratio between two titles after each block, up to maxDays, under
 * the model in this module's header.
 */
function varianceCurve(
  scenario: Scenario,
  level: number,
  halfLife: number,
): { days: number; variance: number; blocks: number }[] {
  const k = scenario.variants;
  const slotHours = scenario.intervalMinutes / 60;
  const blockHours = slotHours * k;
  const shape = scenario.burstShape;
  const lag = (slotHours * (k + 1)) / 3;
  const decayPerHour = Number.isFinite(halfLife) ? Math.LN2 / (halfLife * 24) : 0;
  const trend2 =
    DIURNAL ** 2 * (1 - Math.cos((2 * Math.PI * lag) / 24)) +
    WEEKLY ** 2 * (1 - Math.cos((2 * Math.PI * lag) / 168)) +
    (decayPerHour * lag) ** 2;
  const share = slotHours >= 1 ? 1 : Math.min(1, k * slotHours);
  const points: { days: number; variance: number; blocks: number }[] = [];
  const blocks = Math.floor((scenario.maxDays * 24) / blockHours);
  let information = 0;
  for (let b = 0; b < blocks; b++) {
    const midHour = (b + 0.5) * blockHours;
    const hourly = (level / 24) * Math.exp(-decayPerHour * midHour);
    const slot = hourly * slotHours;
    const relative = slot > 0 ? (1 / slot) * (1 + (hourly * share) / shape) + trend2 / 2 : Infinity;
    information += 1 / (2 * relative);
    points.push({
      days: ((b + 1) * blockHours) / 24,
      variance: information > 0 ? 1 / information : 0,
      blocks: b + 1,
    });
  }
  return points;
}
