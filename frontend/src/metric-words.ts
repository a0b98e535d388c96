import type { Analysis, VariantResult } from "../../worker/stats/analyze";
import { type Metric, type MetricWords, metricWords } from "../../worker/title-tests/metric-words";
import {
  countOf,
  formatHours,
  formatLift,
  formatNumber,
  formatProbability,
  formatRate,
  variantName,
} from "./format";

export type { Metric };

/**
 * A metric's words (written once, in the Worker's `title-tests/metric-words.ts`, which the export
 * and the verdict mail read too) with the page's ways of showing its figures.
 */
export interface MetricDisplay extends MetricWords {
  formatExposure: (value: number) => string;
  formatRate: (value: number | null) => string;
  /** A slot's figures in a few words: "36 clicks of 1,204 impressions", "120 views in 4 h". */
  slotFigures: (slot: { count: number | null; exposure: number | null }) => string;
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

/**
 * The verdict of an analysis in one sentence, its lift in the test's metric, e.g. "Title B wins:
 * +18 % views per hour, 97 % sure" or "Title B wins: +18 % click-through rate, 97 % sure".
 */
export function verdictOf(
  analysis: Pick<Analysis, "decision" | "winner" | "pValue"> & {
    variants: readonly Pick<VariantResult, "variant" | "lift">[];
  },
  metric: Metric,
): string {
  switch (analysis.decision) {
    case "winner": {
      const winner = analysis.variants.find((v) => v.variant === analysis.winner);
      if (!winner) return "A title won.";
      const name = variantName(winner.variant);
      if (winner.variant === 0)
        return `Title A, the current title, wins: ${formatProbability(1 - analysis.pValue)} sure`;
      return `Title ${name} wins: ${formatLift(winner.lift)} ${metricDisplay(metric).measure}, ${formatProbability(1 - analysis.pValue)} sure`;
    }
    case "same":
      return "Same: every title within ±5 %";
    case "inconclusive":
      return "Inconclusive: no title beat the others clearly before the end";
    default:
      return "No clear difference yet";
  }
}
