import type { Analysis } from "../stats/analyze";
import { type Knowledge, whatTheTestKnows } from "../stats/verdict";
import { analyzeTest, type DailyRecord, type SlotRecord } from "./analysis";
import type { TitleVariant } from "./queries";

const HOUR_MS = 3_600_000;

/** One slot as the charts draw it; an open slot has null views and counts its hours up to now. */
export interface SeriesPoint {
  slotIndex: number;
  variant: number;
  block: number;
  startedAt: string;
  endedAt: string | null;
  viewsStart: number;
  viewsEnd: number | null;
  views: number | null;
  hours: number;
  viewsPerHour: number | null;
}

/** What `GET /api/tests/:id/results` answers. */
export interface Results {
  analysis: Analysis;
  /** What the analysis already rules out, and for an inconclusive end the smallest lift it could see. */
  whatTheTestKnows: Knowledge;
  series: SeriesPoint[];
  titles: TitleVariant[];
}

/** The per-slot series: every slot, the open one included (its views are not known yet). */
export function seriesOf(records: readonly SlotRecord[], now: number): SeriesPoint[] {
  return records.map((r) => {
    const closed = r.endedAt !== null && r.viewsEnd !== null;
    const end = r.endedAt?.getTime() ?? now;
    const hours = Math.max(0, (end - r.startedAt.getTime()) / HOUR_MS);
    // As in the analysis: a count that went down (YouTube removed spam views) is 0, not negative.
    const views = closed ? Math.max(0, (r.viewsEnd as number) - r.viewsStart) : null;
    return {
      slotIndex: r.slotIndex,
      variant: r.variant,
      block: r.block,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      viewsStart: r.viewsStart,
      viewsEnd: r.viewsEnd,
      views,
      hours,
      viewsPerHour: views !== null && hours > 0 ? views / hours : null,
    };
  });
}

/**
 * A test's results: the engine's analysis of its closed slots (by its metric: daily metrics need
 * the Analytics days), final once the test has ended; the series for charts; the variants' titles.
 */
export function resultsOf(
  variants: readonly TitleVariant[],
  records: readonly SlotRecord[],
  options: {
    final: boolean;
    now: number;
    metric?: "views" | "ctr" | "watch_time";
    days?: ReadonlyMap<string, DailyRecord>;
  },
): Results {
  const analysis = analyzeTest(
    options.metric ?? "views",
    variants.length,
    records,
    options.days ?? new Map(),
    options.final,
  );
  return {
    analysis,
    whatTheTestKnows: whatTheTestKnows(analysis),
    series: seriesOf(records, options.now),
    titles: [...variants],
  };
}

/** Cells a spreadsheet would run as a formula (CSV injection): =, +, -, @, and tab/CR leading. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: text that a spreadsheet would take for a formula gets a leading `'`, and a cell
 * holding a quote, comma or line break is quoted with its quotes doubled (RFC 4180).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = typeof value === "number" ? String(value) : value;
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Hours and rates with a few decimals: enough for a spreadsheet, short enough to read. */
const round = (value: number | null, digits: number) =>
  value === null ? null : Number(value.toFixed(digits));

/** The CSV export: a header and one row per slot, lines ended by CRLF (RFC 4180). */
export function resultsCsv(results: Pick<Results, "series" | "titles">): string {
  const titleOf = new Map(results.titles.map((t) => [t.variant, t.text]));
  const header = [
    "slot",
    "variant",
    "title",
    "block",
    "started_at",
    "ended_at",
    "views",
    "hours",
    "views_per_hour",
  ];
  const rows = results.series.map((p) => [
    p.slotIndex,
    p.variant,
    titleOf.get(p.variant) ?? "",
    p.block,
    p.startedAt,
    p.endedAt,
    p.views,
    round(p.hours, 4),
    round(p.viewsPerHour, 4),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
