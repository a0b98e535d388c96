/** What decides a test's winner (the `tests.metric` column). */
export type Metric = "views" | "ctr" | "watch_time";

/**
 * A metric in words, wherever a test's figures are named: the test page (verdict, charts, table,
 * timeline), the verdict mail and the CSV export. The engine judges every metric as a count over
 * an exposure: views over hours live, clicks over thumbnail impressions (the Reporting API's
 * reach reports), minutes watched over hours live.
 */
export interface MetricWords {
  /** The metric's name, as a heading says it: "Click-through rate". */
  name: string;
  /** What a lift is a lift of, inside a sentence: "+18 % click-through rate". */
  measure: string;
  /** The results table's columns. */
  count: string;
  exposure: string;
  rate: string;
  /** The rate after a figure, in a chart's tooltip: "412 views/h"; empty when the figure says it ("7.34 %"). */
  rateUnit: string;
  /** The counted thing, singular and plural, for "36 clicks". */
  countNoun: readonly [string, string];
  /** The exposure's noun when it is counted ("of 1,204 impressions"); null when it is time live. */
  exposureNoun: readonly [string, string] | null;
  /** The slot chart's title and the caption under its time axis. */
  chartTitle: string;
  chartAxis: string;
  /** A closed slot whose figure has not arrived yet (daily metrics come from YouTube days late). */
  pending: string;
  /** Whose noise the engine measures, for "how noisy your video's views are". */
  noisy: string;
  /** The CSV export's columns for the count, the exposure and the rate. */
  csv: { count: string; exposure: string; rate: string };
}

/** Each metric's words: the one place they are written. */
export const metricWords: Record<Metric, MetricWords> = {
  views: {
    name: "Views per hour",
    measure: "views per hour",
    count: "Views",
    exposure: "Time live",
    rate: "Views/h",
    rateUnit: "views/h",
    countNoun: ["view", "views"],
    exposureNoun: null,
    chartTitle: "Views per hour",
    chartAxis: "views per hour, by the title live",
    pending: "views not counted yet",
    noisy: "your video's views are",
    csv: { count: "views", exposure: "hours", rate: "views_per_hour" },
  },
  ctr: {
    name: "Click-through rate",
    measure: "click-through rate",
    count: "Clicks",
    exposure: "Impressions",
    rate: "CTR",
    rateUnit: "",
    countNoun: ["click", "clicks"],
    exposureNoun: ["impression", "impressions"],
    chartTitle: "Click-through rate by day",
    chartAxis: "click-through rate of each day, by the title live",
    pending: "impressions not in from YouTube yet",
    noisy: "your thumbnail's click-through rate is",
    csv: { count: "clicks", exposure: "impressions", rate: "ctr" },
  },
  watch_time: {
    name: "Watch time",
    measure: "minutes watched per hour",
    count: "Minutes watched",
    exposure: "Time live",
    rate: "Minutes/h",
    rateUnit: "min/h",
    countNoun: ["minute watched", "minutes watched"],
    exposureNoun: null,
    chartTitle: "Minutes watched per hour",
    chartAxis: "minutes watched per hour of each day, by the title live",
    pending: "minutes watched not in from YouTube yet",
    noisy: "your video's watch time is",
    csv: { count: "minutes_watched", exposure: "hours", rate: "minutes_per_hour" },
  },
};
