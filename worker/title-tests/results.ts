import { pacificDayKey } from "../quota/pacific-day";
import type { Analysis } from "../stats/analyze";
import { type Knowledge, whatTheTestKnows } from "../stats/verdict";
import { analyzeTest, type DailyRecord, dailyFigures, type SlotRecord, viewFigures } from "./analysis";
import { isoTime } from "./iso-time";
import { type Metric, metricWords } from "./metric-words";
import type { TitleVariant } from "./queries";
import type { TrafficSourceResults } from "./traffic-sources";

/**
 * One slot as the charts draw it: when it ran, the video's view counter at its start and end (null
 * while open), and its figures by the test's metric (views over hours, clicks over impressions,
 * minutes watched over hours). The figures are null while not known, as for an open slot's count or
 * a day whose figures YouTube has not sent yet; an open slot's hours count up to now.
 */
export interface SeriesPoint {
  slotIndex: number;
  variant: number;
  block: number;
  startedAt: string;
  endedAt: string | null;
  viewsStart: number;
  viewsEnd: number | null;
  count: number | null;
  exposure: number | null;
  rate: number | null;
}

/** What `GET /api/tests/:id/results` answers. */
export interface Results {
  analysis: Analysis;
  /** What the analysis already rules out, and for an inconclusive end the smallest lift it could see. */
  whatTheTestKnows: Knowledge;
  series: SeriesPoint[];
  titles: TitleVariant[];
  /** Views and minutes by traffic source per title: daily-slot tests only, else null. */
  trafficSources: TrafficSourceResults | null;
}

/**
 * The per-slot series: every slot, the open one included (its views are not known yet), with its
 * figures by `metric` (a daily metric's from its day in `days`).
 */
export function seriesOf(
  records: readonly SlotRecord[],
  now: number,
  metric: Metric = "views",
  days: ReadonlyMap<string, DailyRecord> = new Map(),
): SeriesPoint[] {
  return records.map((r) => {
    const figures =
      metric === "views"
        ? viewFigures(r, now)
        : (dailyFigures(metric, r, days, pacificDayKey) ?? { count: null, exposure: null });
    return {
      slotIndex: r.slotIndex,
      variant: r.variant,
      block: r.block,
      startedAt: isoTime(r.startedAt.getTime()),
      endedAt: r.endedAt === null ? null : isoTime(r.endedAt.getTime()),
      viewsStart: r.viewsStart,
      viewsEnd: r.viewsEnd,
      ...figures,
      rate:
        figures.count !== null && figures.exposure !== null && figures.exposure > 0
          ? figures.count / figures.exposure
          : null,
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
    metric?: Metric;
    days?: ReadonlyMap<string, DailyRecord>;
    trafficSources?: TrafficSourceResults | null;
  },
): Results {
  const metric = options.metric ?? "views";
  const days = options.days ?? new Map<string, DailyRecord>();
  const analysis = analyzeTest(metric, variants.length, records, days, options.final);
  return {
    analysis,
    whatTheTestKnows: whatTheTestKnows(analysis),
    series: seriesOf(records, options.now, metric, days),
    titles: [...variants],
    trafficSources: options.trafficSources ?? null,
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

/**
 * The CSV export: a header and one row per slot with its figures by the test's metric (views,
 * hours and views per hour; clicks, impressions and CTR; minutes watched, hours and minutes per
 * hour), lines ended by CRLF (RFC 4180). A daily-slot test with traffic-source data gets a second
 * table after an empty line: one row per title and source.
 */
export function resultsCsv(
  results: Pick<Results, "series" | "titles"> & Partial<Pick<Results, "trafficSources">>,
  metric: Metric = "views",
): string {
  const titleOf = new Map(results.titles.map((t) => [t.variant, t.text]));
  const columns = metricWords[metric].csv;
  const header = [
    "slot",
    "variant",
    "title",
    "block",
    "started_at",
    "ended_at",
    columns.count,
    columns.exposure,
    columns.rate,
  ];
  const rows = results.series.map((p) => [
    p.slotIndex,
    p.variant,
    titleOf.get(p.variant) ?? "",
    p.block,
    p.startedAt,
    p.endedAt,
    p.count,
    round(p.exposure, 4),
    // A CTR is a fraction (0.0734): six places keep its hundredths of a percent.
    round(p.rate, metric === "ctr" ? 6 : 4),
  ]);
  const lines = (table: (string | number | null)[][]) => table.map((row) => row.map(csvCell).join(","));
  const sources = trafficSourceRows(results.trafficSources ?? null, titleOf);
  const tables = sources.length
    ? [...lines([header, ...rows]), "", ...lines(sources)]
    : lines([header, ...rows]);
  return `${tables.join("\r\n")}\r\n`;
}

/** The traffic-source table of the CSV (header included), or nothing when there is no data. */
function trafficSourceRows(
  traffic: TrafficSourceResults | null,
  titleOf: ReadonlyMap<number, string>,
): (string | number | null)[][] {
  if (!traffic || traffic.daysWithData === 0) return [];
  const header = [
    "variant",
    "title",
    "traffic_source",
    "days",
    "views",
    "minutes",
    "lift",
    "lift_low",
    "lift_high",
  ];
  const rows = traffic.variants.flatMap((v) =>
    v.sources.map((s) => [
      v.variant,
      titleOf.get(v.variant) ?? "",
      s.source,
      v.days,
      s.views,
      round(s.minutes, 2),
      round(s.lift, 4),
      round(s.liftLow, 4),
      round(s.liftHigh, 4),
    ]),
  );
  return [header, ...rows];
}
