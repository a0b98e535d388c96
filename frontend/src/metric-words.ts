import { type Metric, type MetricWords, metricWords } from "../../worker/title-tests/metric-words";
import type { Results } from "./data/tests";
import { countOf, formatHours, formatNumber, formatRate } from "./format";

export type { Metric };

/**
 * A metric's words (written once, in the Worker's `title-tests/metric-words.ts`, which the export
 * and the verdict mail read too) with the page's ways of showing its figures.
 */
export interface MetricDisplay extends MetricWords {
  formatExposure: (value: number) => string;
  formatRate: (value: number | null) => string;
  /** A slot's figures in a few words: "36 clicks of 1,204 impressions", "120 views in 4 h". */
  slotFigures: (slot: Pick<Results["series"][number], "count" | "exposure">) => string;
}

/** A click-through rate as YouTube shows it: 0.0734 → "7.34 %". */
function formatCtr(rate: number | null): string {
  return rate !== null && Number.isFinite(rate) ? `${(rate * 100).toFixed(2)} %` : "—";
}

/** The words and formats of a test whose winner is judged by `metric`. */
export function metricDisplay(metric: Metric): MetricDisplay {
  const words = metricWords[metric];
  const [one, many] = words.countNoun;
  const exposureNoun = words.exposureNoun;
  // Impressions are counted, so the rate is a share of them (a CTR); hours live give a rate per hour.
  const counted = exposureNoun !== null;
  return {
    ...words,
    formatExposure: counted ? formatNumber : formatHours,
    formatRate: counted ? formatCtr : formatRate,
    slotFigures: ({ count, exposure }) => {
      if (count === null || exposure === null) return "";
      const of = exposureNoun ? `of ${countOf(exposure, ...exposureNoun)}` : `in ${formatHours(exposure)}`;
      return `${countOf(count, one, many)} ${of}`;
    },
  };
}
