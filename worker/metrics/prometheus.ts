import type { Labels } from "./batch";
import type { FamilySpec } from "./families";

/**
 * The Prometheus text exposition format, version 0.0.4: HELP and TYPE per family, one sample per
 * line, label values escaped (backslash, double quote, newline), histograms with cumulative
 * `_bucket{le}` lines ending at `+Inf`, then `_sum` and `_count`.
 */

/** The Content-Type of the format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A counter's or gauge's value for one label set. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** One histogram series: cumulative counts per upper bound (the last is `+Inf`). */
export interface HistogramSeries {
  labels: Labels;
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/** A family to write: counters and gauges carry samples, histograms series. */
export type FamilyData =
  | { spec: FamilySpec & { type: "counter" | "gauge" }; samples: Sample[] }
  | { spec: FamilySpec & { type: "histogram" }; series: HistogramSeries[] };

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

function line(name: string, labels: Labels, value: number): string {
  return `${name}${formatLabels(labels)} ${formatNumber(value)}`;
}

/** Writes families in the exposition format (a family without samples still gets HELP and TYPE). */
export function formatExposition(families: readonly FamilyData[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const { name, type, help } = family.spec;
    lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    if ("samples" in family) {
      for (const sample of family.samples) lines.push(line(name, sample.labels, sample.value));
      continue;
    }
    for (const series of family.series) {
      for (const bucket of series.buckets) {
        lines.push(line(`${name}_bucket`, { ...series.labels, le: formatNumber(bucket.le) }, bucket.count));
      }
      lines.push(
        line(`${name}_sum`, series.labels, series.sum),
        line(`${name}_count`, series.labels, series.count),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
