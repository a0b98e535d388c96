import { formatHours, formatNumber, formatRate } from "./format";

/**
 * The results table's measure columns by a test's metric. The engine's figures per title are a
 * count over an exposure: views over hours live, clicks over thumbnail impressions (CTR, from the
 * Reporting API's reach reports), minutes watched over hours live.
 */
export interface MeasureColumns {
  count: string;
  exposure: string;
  rate: string;
  formatExposure: (value: number) => string;
  formatRate: (value: number) => string;
}

/** A click-through rate as YouTube shows it: 0.0734 → "7.34 %". */
function formatCtr(rate: number): string {
  return Number.isFinite(rate) ? `${(rate * 100).toFixed(2)} %` : "—";
}

/** The columns of a test whose winner is judged by `metric`. */
export function measureColumns(metric: "views" | "ctr" | "watch_time"): MeasureColumns {
  switch (metric) {
    case "ctr":
      return {
        count: "Clicks",
        exposure: "Impressions",
        rate: "CTR",
        formatExposure: formatNumber,
        formatRate: formatCtr,
      };
    case "watch_time":
      return {
        count: "Minutes watched",
        exposure: "Time live",
        rate: "Minutes/h",
        formatExposure: formatHours,
        formatRate,
      };
    case "views":
      return {
        count: "Views",
        exposure: "Time live",
        rate: "Views/h",
        formatExposure: formatHours,
        formatRate,
      };
  }
}
