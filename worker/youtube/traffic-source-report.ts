import type { Wire } from "./types";

/** One Pacific day of a video's views from one traffic source (Analytics `insightTrafficSourceType`). */
export interface DailyTrafficSource {
  /** `YYYY-MM-DD`, a Pacific day. */
  day: string;
  /** e.g. `RELATED_VIDEO` (Suggested), `YT_SEARCH`, `SUBSCRIBER` (Browse), `EXT_URL`. */
  source: string;
  views: number;
  estimatedMinutesWatched: number;
}

/**
 * The query of Google's "traffic sources by day" channel-report table for one video: the only
 * dimension/metric combination that splits views by source per day.
 */
export function trafficSourceQuery(videoId: string, startDate: string, endDate: string): URLSearchParams {
  return new URLSearchParams({
    ids: "channel==MINE",
    startDate,
    endDate,
    metrics: "views,estimatedMinutesWatched",
    dimensions: "day,insightTrafficSourceType",
    filters: `video==${videoId}`,
    sort: "day",
  });
}

/** The rows of that report, read by column name (Google may order columns as it likes). */
export function trafficSourceRows(table: Wire.ResultTable): DailyTrafficSource[] {
  const index = new Map(table.columnHeaders.map((h, i) => [h.name, i]));
  const cell = (row: (string | number)[], name: string) => row[index.get(name) ?? -1];
  return (table.rows ?? []).map((row) => ({
    day: String(cell(row, "day") ?? ""),
    source: String(cell(row, "insightTrafficSourceType") ?? ""),
    views: Number(cell(row, "views") ?? 0),
    estimatedMinutesWatched: Number(cell(row, "estimatedMinutesWatched") ?? 0),
  }));
}
