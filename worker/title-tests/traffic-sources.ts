import { and, eq, gte, lte } from "drizzle-orm";
import { trafficSources } from "../../schema";
import type { HttpDb } from "../db/http";
import { pacificDay, pacificDayKey } from "../quota/pacific-day";
import { analyze, type Slot } from "../stats/analyze";
import type { SlotRecord } from "./analysis";

const HOUR_MS = 3_600_000;

/** How long after a Pacific day ends YouTube Analytics has its rows (about two days). */
const TRAFFIC_SOURCE_DELAY_MS = 48 * HOUR_MS;

/** The rotation interval of daily-slot tests: one title per Pacific day. */
export const DAILY_SLOT_MINUTES = 1440;

/** What YouTube Studio calls each `insightTrafficSourceType` (unknown codes show as they are). */
const TRAFFIC_SOURCE_LABELS: Readonly<Record<string, string>> = {
  SUBSCRIBER: "Browse features",
  RELATED_VIDEO: "Suggested videos",
  YT_SEARCH: "YouTube search",
  EXT_URL: "External",
  YT_CHANNEL: "Channel pages",
  PLAYLIST: "Playlists",
  NOTIFICATION: "Notifications",
  YT_OTHER_PAGE: "Other YouTube features",
  SHORTS: "Shorts feed",
  NO_LINK_OTHER: "Direct or unknown",
  END_SCREEN: "End screens",
  ANNOTATION: "Cards and annotations",
  ADVERTISING: "YouTube advertising",
  HASHTAGS: "Hashtag pages",
  LIVE_REDIRECT: "Live redirect",
  SOUND_PAGE: "Sound pages",
  VIDEO_REMIXES: "Remixes",
  PRODUCT_PAGE: "Product pages",
  CAMPAIGN_CARD: "Campaign cards",
};

/** One stored row of `traffic_sources`. */
export interface TrafficSourceDay {
  day: string;
  source: string;
  views: number;
  minutes: number;
}

/** One title's figures from one source, with its lift against the control where estimable. */
export interface SourceFigures {
  source: string;
  label: string;
  views: number;
  minutes: number;
  /** Views per hour live against the control's from this source, minus 1; null for the control or no data. */
  lift: number | null;
  /** 95 % interval of `lift` (see docs/STATISTICS.md); null until there are enough complete rounds. */
  liftLow: number | null;
  liftHigh: number | null;
}

/** One title's traffic sources over the days it was live and Analytics has reported. */
export interface VariantSources {
  variant: number;
  /** Days of this title with Analytics rows. */
  days: number;
  views: number;
  minutes: number;
  sources: SourceFigures[];
}

/** The `trafficSources` field of a daily-slot test's results. */
export interface TrafficSourceResults {
  /** Closed days whose rows have arrived, and those still awaited. */
  daysWithData: number;
  daysPending: number;
  /** When the next awaited day should be reported (its end + 48 h); null when nothing is awaited. */
  nextDataAt: string | null;
  /** Complete rounds (every title live one day, all reported): intervals need at least K. */
  roundsComplete: number;
  variants: VariantSources[];
}

/** The Pacific day of a daily slot: the day it started (daily slots run midnight to midnight). */
function slotDay(record: Pick<SlotRecord, "startedAt">): string {
  return pacificDayKey(record.startedAt.getTime());
}

/** Whether a Pacific day's Analytics rows should be there by `asOf` (its end + 48 h has passed). */
function isDayFinal(day: string, asOf: number): boolean {
  const start = Date.parse(`${day}T12:00:00Z`);
  return pacificDay(start).endsAt + TRAFFIC_SOURCE_DELAY_MS <= asOf;
}

/** The range of a test's closed days that are final by `asOf`, or null when there is none yet. */
export function finalDayRange(
  records: readonly SlotRecord[],
  asOf: number,
): { from: string; to: string } | null {
  const days = records
    .filter((r) => r.endedAt !== null)
    .map(slotDay)
    .filter((day) => isDayFinal(day, asOf))
    .sort();
  const from = days[0];
  const to = days[days.length - 1];
  return from && to ? { from, to } : null;
}

/** A video's stored traffic-source rows between two Pacific days (inclusive). */
async function trafficSourceDaysOf(
  db: HttpDb,
  videoId: string,
  range: { from: string; to: string },
): Promise<TrafficSourceDay[]> {
  return db
    .select({
      day: trafficSources.day,
      source: trafficSources.source,
      views: trafficSources.views,
      minutes: trafficSources.minutes,
    })
    .from(trafficSources)
    .where(
      and(
        eq(trafficSources.videoId, videoId),
        gte(trafficSources.day, range.from),
        lte(trafficSources.day, range.to),
      ),
    );
}

/**
 * Views and minutes by source for each title, each day credited to the title live that day, and
 * the lift per source against the control. The lift is the engine's own estimate
 * (`worker/stats/analyze.ts`) run on that source's views alone: slot = day, block = round, so the
 * day-to-day swings of a source cancel inside each round exactly as they do for the verdict. Its
 * interval is the engine's 95 % (block-robust) one, shown only once there are at least K complete
 * rounds — with fewer, the between-round variance has no degrees of freedom and the interval would
 * only reflect the Poisson floor. It is descriptive: fixed-level, not always-valid, and not
 * corrected for looking at several sources; the verdict stays the engine's.
 */
export function trafficSourceResults(
  variantCount: number,
  records: readonly SlotRecord[],
  rows: readonly TrafficSourceDay[],
  now: number,
): TrafficSourceResults {
  const byDay = new Map<string, TrafficSourceDay[]>();
  for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
  const closed = records.filter((r) => r.endedAt !== null);
  const reported = closed.filter((r) => byDay.has(slotDay(r)));
  const pending = closed
    .filter((r) => !byDay.has(slotDay(r)))
    .map(slotDay)
    .sort();
  const open = records.find((r) => r.endedAt === null);
  const awaited = pending[0] ?? (open ? slotDay(open) : undefined);
  const nextDataAt = awaited
    ? new Date(
        Math.max(now, pacificDay(Date.parse(`${awaited}T12:00:00Z`)).endsAt + TRAFFIC_SOURCE_DELAY_MS),
      ).toISOString()
    : null;

  const sources = [...new Set(rows.map((r) => r.source))];
  const perSource = new Map(sources.map((s) => [s, sourceAnalysis(variantCount, s, reported, byDay)]));
  const roundsComplete = countCompleteRounds(variantCount, reported);
  const intervals = roundsComplete >= variantCount;

  const variants: VariantSources[] = [];
  for (let v = 0; v < variantCount; v++) {
    const days = reported.filter((r) => r.variant === v);
    const figures = sources.map((source): SourceFigures => {
      let views = 0;
      let minutes = 0;
      for (const r of days) {
        const row = byDay.get(slotDay(r))?.find((x) => x.source === source);
        views += row?.views ?? 0;
        minutes += row?.minutes ?? 0;
      }
      const fit = perSource.get(source)?.[v];
      // Without a round holding both this title and the control, the engine's estimate is its
      // prior (no lift), not a measurement.
      const estimable = v !== 0 && fit !== undefined && Number.isFinite(fit.lift) && sharesRound(reported, v);
      return {
        source,
        label: TRAFFIC_SOURCE_LABELS[source] ?? source,
        views,
        minutes,
        lift: estimable ? fit.lift : null,
        liftLow: estimable && intervals && Number.isFinite(fit.liftLow) ? fit.liftLow : null,
        liftHigh: estimable && intervals && Number.isFinite(fit.liftHigh) ? fit.liftHigh : null,
      };
    });
    figures.sort((a, b) => b.views - a.views || a.source.localeCompare(b.source));
    variants.push({
      variant: v,
      days: days.length,
      views: figures.reduce((n, f) => n + f.views, 0),
      minutes: figures.reduce((n, f) => n + f.minutes, 0),
      sources: figures,
    });
  }
  return {
    daysWithData: reported.length,
    daysPending: pending.length,
    nextDataAt,
    roundsComplete,
    variants,
  };
}

/** Whether some round has reported days of both `variant` and the control. */
function sharesRound(reported: readonly SlotRecord[], variant: number): boolean {
  const blocks = new Set(reported.filter((r) => r.variant === 0).map((r) => r.block));
  return reported.some((r) => r.variant === variant && blocks.has(r.block));
}

/** Rounds in which every title has a reported day. */
function countCompleteRounds(variantCount: number, reported: readonly SlotRecord[]): number {
  const live = new Map<number, Set<number>>();
  for (const r of reported) live.set(r.block, (live.get(r.block) ?? new Set()).add(r.variant));
  return [...live.values()].filter((s) => s.size === variantCount).length;
}

/**
 * The engine's per-variant lifts on one source's views (day = slot, round = block, hours live =
 * exposure), or undefined while no round compares two titles that both got views from it.
 */
function sourceAnalysis(
  variantCount: number,
  source: string,
  reported: readonly SlotRecord[],
  byDay: ReadonlyMap<string, TrafficSourceDay[]>,
) {
  const slots: Slot[] = reported.map((r) => ({
    variant: r.variant,
    block: r.block,
    count: byDay.get(slotDay(r))?.find((x) => x.source === source)?.views ?? 0,
    exposure: Math.max(0, ((r.endedAt as Date).getTime() - r.startedAt.getTime()) / HOUR_MS),
  }));
  const usable = slots.filter((s) => s.exposure > 0);
  if (!usable.some((s) => s.variant === 0 && s.count > 0)) return undefined;
  if (usable.length < 2) return undefined;
  return analyze(variantCount, usable, { draws: 1 }).variants;
}

/**
 * The `trafficSources` field of a test's results: null unless the test has daily slots; read
 * from the stored rows of the video over the test's days.
 */
export async function dailyTrafficSources(
  db: HttpDb,
  test: { videoId: string; intervalMinutes: number },
  variantCount: number,
  records: readonly SlotRecord[],
  now: number,
): Promise<TrafficSourceResults | null> {
  if (test.intervalMinutes !== DAILY_SLOT_MINUTES || variantCount < 2) return null;
  const days = records.map(slotDay).sort();
  const from = days[0];
  const to = days[days.length - 1];
  const rows = from && to ? await trafficSourceDaysOf(db, test.videoId, { from, to }) : [];
  return trafficSourceResults(variantCount, records, rows, now);
}
