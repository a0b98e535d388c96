import type { Plan } from "../auth/plans";
import { plans } from "../auth/plans";

/** Rotation intervals a creator can choose, in minutes (each divides a day: the slot grid needs it). */
export const intervalChoices = [15, 30, 60, 120, 240, 480, 720, 1440] as const;

/** Shorter intervals the local demo stack and the tests may use (never production). */
export const demoIntervalChoices = [1, 2, 5, 10] as const;

/** Metrics judged by daily Analytics rows: they need 24-hour slots aligned to midnight Pacific. */
export const dailyMetrics = ["ctr", "watch_time"] as const;

/**
 * The floor the local stack and the tests set through `MIN_INTERVAL_MINUTES` (e.g. "1"), so a demo
 * test finishes in minutes. Ignored in production.
 */
/** The settings the interval choice reads (a subset of the Worker's env). */
export interface IntervalSettings {
  ENVIRONMENT?: string;
  MIN_INTERVAL_MINUTES?: string;
}

function demoFloor(env: IntervalSettings): number | null {
  if (env.ENVIRONMENT === "production" || !env.MIN_INTERVAL_MINUTES) return null;
  const floor = Number(env.MIN_INTERVAL_MINUTES);
  return Number.isInteger(floor) && floor >= 1 ? floor : null;
}

/** The intervals a plan may choose here, shortest first. */
export function allowedIntervals(env: IntervalSettings, plan: Plan): number[] {
  const floor = demoFloor(env);
  if (floor !== null) {
    return [...demoIntervalChoices, ...intervalChoices].filter((minutes) => minutes >= floor);
  }
  return intervalChoices.filter((minutes) => minutes >= plans[plan].minIntervalMinutes);
}
