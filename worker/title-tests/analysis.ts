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
 * A slot's figures by the views metric: the views it gained over the hours it was live (up to
 * `now` while open). The count is null while the slot is open (not known yet); a count that went
 * down (YouTube removes spam views now and then) is 0 rather than negative.
 */
export function viewFigures(r: SlotRecord, now: number): { count: number | null; exposure: number } {
  const closed = r.endedAt !== null && r.viewsEnd !== null;
  return {
    count: closed ? Math.max(0, (r.viewsEnd as number) - r.viewsStart) : null,
    exposure: Math.max(0, ((r.endedAt?.getTime() ?? now) - r.startedAt.getTime()) / HOUR_MS),
  };
}

/** The engine's input for the views metric: one Slot per closed slot live for some time. */
export function viewSlots(records: readonly SlotRecord[]): Slot[] {
  const slots: Slot[] = [];
  for (const r of records) {
    // An open slot's count is null, whatever `now`: it is left out.
    const { count, exposure } = viewFigures(r, r.startedAt.getTime());
    if (count !== null && exposure > 0) slots.push({ variant: r.variant, block: r.block, count, exposure });
  }
  return slots;
}

/** The analysis of a views test from its slot records (`final` once its end time has passed). */
export function analyzeViews(variantCount: number, records: readonly SlotRecord[], final = false): Analysis {
  return analyze(variantCount, viewSlots(records), { final });
}

/**
 * One Pacific day of a video (what `analytics_polls` keeps as a daily row): thumbnail impressions
 * and clicks from the Reporting API's reach reports, minutes watched from the Analytics API. Each
 * source arrives on its own schedule: a figure not in yet is null.
 */
export interface DailyRecord {
  /** `YYYY-MM-DD`, a Pacific day. */
  day: string;
  impressions: number | null;
  /** Clicks per impression (0.05 = 5 %). */
  ctr: number | null;
  /** Clicks as the reach report counts them; when present, used instead of impressions × ctr. */
  clicks?: number | null;
  watchMinutes: number | null;
}

/** The clicks of a day with reach figures, or null while its reach report has not arrived. */
function clicksOf(row: DailyRecord): number | null {
  if (row.impressions === null) return null;
  if (row.clicks !== undefined && row.clicks !== null) return row.clicks;
  return row.ctr === null ? null : Math.round(row.impressions * row.ctr);
}

/**
 * A closed 24-hour slot's figures by its day's row (`dayOf` its start): clicks over impressions
 * for CTR, minutes watched over hours live for watch time. Null while the slot is open or its
 * day's figure has not arrived.
 */
export function dailyFigures(
  metric: "ctr" | "watch_time",
  record: SlotRecord,
  days: ReadonlyMap<string, DailyRecord>,
  dayOf: (ms: number) => string,
): { count: number; exposure: number } | null {
  if (record.endedAt === null) return null;
  const row = days.get(dayOf(record.startedAt.getTime()));
  if (!row) return null;
  if (metric === "ctr") {
    const clicks = clicksOf(row);
    return clicks === null ? null : { count: clicks, exposure: row.impressions ?? 0 };
  }
  if (row.watchMinutes === null) return null;
  return {
    count: Math.round(row.watchMinutes),
    exposure: (record.endedAt.getTime() - record.startedAt.getTime()) / HOUR_MS,
  };
}

/**
 * The engine's input for the daily metrics: each closed 24-hour slot (midnight to midnight
 * Pacific) judged by that day's figures ({@link dailyFigures}) — the reach reports arrive about
 * two days late, the Analytics API's minutes 2–3 days late. Days whose figure has not arrived are
 * left out; `missing` counts them.
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
    const figures = dailyFigures(metric, r, days, dayOf);
    if (figures === null) missing += 1;
    else slots.push({ variant: r.variant, block: r.block, ...figures });
  }
  return { slots: slots.filter((s) => s.exposure > 0), missing };
}

/**
 * The analysis of a test by its metric: views from its slots' view counts, CTR and watch time from
 * the daily figures of its (daily) slots. `final` once its end time has passed.
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
