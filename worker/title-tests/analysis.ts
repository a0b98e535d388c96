import { pacificDayKey } from "../quota/pacific-day";
import { type Analysis, analyze, type Slot } from "../stats/analyze";

const HOUR_MS = 3_600_000;

/** A closed or open slot as Postgres (and the rotator) keep it. */
export interface SlotRecord {
  slotIndex: number;
  variant: number;
  block: number;
  startedAt: Date;
  endedAt: Date | null;
  viewsStart: number;
  viewsEnd: number | null;
}

/**
 * The engine's input for the views metric: one Slot per closed slot, views gained over hours live.
 * Open slots are left out (their count is not known yet); a count that went down (YouTube removes
 * spam views now and then) counts as 0 rather than as negative views.
 */
export function viewSlots(records: readonly SlotRecord[]): Slot[] {
  return records
    .filter((r) => r.endedAt !== null && r.viewsEnd !== null)
    .map((r) => ({
      variant: r.variant,
      block: r.block,
      count: Math.max(0, (r.viewsEnd as number) - r.viewsStart),
      exposure: Math.max(0, ((r.endedAt as Date).getTime() - r.startedAt.getTime()) / HOUR_MS),
    }))
    .filter((slot) => slot.exposure > 0);
}

/** The analysis of a views test from its slot records (`final` once its end time has passed). */
export function analyzeViews(variantCount: number, records: readonly SlotRecord[], final = false): Analysis {
  return analyze(variantCount, viewSlots(records), { final });
}

/** One Pacific day of a video in the Analytics API (what `analytics_polls` keeps as a daily row). */
export interface DailyRecord {
  /** `YYYY-MM-DD`, a Pacific day. */
  day: string;
  impressions: number;
  /** Clicks per impression (0.05 = 5 %). */
  ctr: number;
  watchMinutes: number;
}

/**
 * The engine's input for the daily metrics: each closed 24-hour slot (midnight to midnight
 * Pacific, `dayOf` its start) judged by that day's Analytics row — clicks over impressions for
 * CTR, minutes watched over hours for watch time. Days whose row has not arrived yet (the API
 * lags 2–3 days) are left out; `missing` counts them.
 */
export function dailySlots(
  metric: "ctr" | "watch_time",
  records: readonly SlotRecord[],
  days: ReadonlyMap<string, DailyRecord>,
  dayOf: (ms: number) => string,
): { slots: Slot[]; missing: number } {
  const slots: Slot[] = [];
  let missing = 0;
  for (const r of records) {
    if (r.endedAt === null) continue;
    const row = days.get(dayOf(r.startedAt.getTime()));
    if (!row) {
      missing += 1;
      continue;
    }
    slots.push(
      metric === "ctr"
        ? {
            variant: r.variant,
            block: r.block,
            count: Math.round(row.impressions * row.ctr),
            exposure: row.impressions,
          }
        : {
            variant: r.variant,
            block: r.block,
            count: Math.round(row.watchMinutes),
            exposure: (r.endedAt.getTime() - r.startedAt.getTime()) / HOUR_MS,
          },
    );
  }
  return { slots: slots.filter((s) => s.exposure > 0), missing };
}

/**
 * The analysis of a test by its metric: views from its slots' view counts, CTR and watch time from
 * the daily Analytics rows of its (daily) slots. `final` once its end time has passed.
 */
export function analyzeTest(
  metric: "views" | "ctr" | "watch_time",
  variantCount: number,
  records: readonly SlotRecord[],
  days: ReadonlyMap<string, DailyRecord>,
  final: boolean,
): Analysis {
  if (metric === "views") return analyzeViews(variantCount, records, final);
  return analyze(variantCount, dailySlots(metric, records, days, pacificDayKey).slots, { final });
}
