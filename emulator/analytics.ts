import {
  channelsOf,
  ctrOverridesOf,
  getVideo,
  simVideo,
  titleSpans,
  titlesOf,
  type VideoRow,
  videosOfChannel,
} from "./catalog";
import type { ApiContext, MethodResult } from "./data-api";
import { apiError, loginRequired } from "./google-errors";
import { DAY_MS, nextDay, pacificDayStart } from "./pacific-time";
import { json } from "./reply";
import { accrue } from "./simulation";

/**
 * YouTube Analytics API v2 `reports.query` (GET /v2/reports) for one channel, by day or in total,
 * optionally filtered to videos. Days are Pacific days; a day appears only once 48 simulated
 * hours have passed since it ended, as YouTube's data lags.
 */

const METRICS = {
  views: "INTEGER",
  estimatedMinutesWatched: "INTEGER",
  averageViewDuration: "INTEGER",
  videoThumbnailImpressions: "INTEGER",
  videoThumbnailImpressionsClickRate: "FLOAT",
} as const;

type Metric = keyof typeof METRICS;

/** Hours of delay before a day's data appears. */
export const ANALYTICS_DELAY_MS = 2 * DAY_MS;

const badRequest = (message: string) => apiError(400, message, { domain: "global", reason: "badRequest" });
const forbidden = () => apiError(403, "Forbidden", { domain: "global", reason: "forbidden" });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** GET /v2/reports. */
export function reportsQuery(ctx: ApiContext): MethodResult {
  if (!ctx.holder) return { reply: loginRequired() };
  const { ids, startDate, endDate, metrics, dimensions, filters } = ctx.params;
  for (const [name, value] of Object.entries({ ids, startDate, endDate, metrics })) {
    if (!value) return { reply: badRequest(`Required value missing: ${name}`) };
  }
  const channels = channelsOf(ctx.sql, ctx.holder.sub);
  const channelId = (ids as string).replace(/^channel==/, "");
  if (!(ids as string).startsWith("channel==")) return { reply: badRequest(`Invalid value for ids: ${ids}`) };
  const channel = channelId === "MINE" ? channels[0] : channels.find((c) => c.id === channelId);
  if (!channel) return { reply: forbidden() };
  if (!DATE.test(startDate as string))
    return { reply: badRequest(`Invalid value at 'start_date' (${startDate})`) };
  if (!DATE.test(endDate as string)) return { reply: badRequest(`Invalid value at 'end_date' (${endDate})`) };
  if ((startDate as string) > (endDate as string))
    return { reply: badRequest("The query start date is after the end date.") };
  const metricList = (metrics as string).split(",").map((m) => m.trim());
  for (const m of metricList) {
    if (!(m in METRICS))
      return { reply: badRequest(`Unknown identifier (${m}) given in field parameters.metrics.`) };
  }
  if (dimensions && dimensions !== "day") {
    return { reply: badRequest(`Unknown identifier (${dimensions}) given in field parameters.dimensions.`) };
  }
  let videos: VideoRow[];
  if (filters) {
    const match = /^video==([\w-]+(?:,[\w-]+)*)$/.exec(filters);
    if (!match) return { reply: badRequest(`Invalid filter: ${filters}`) };
    videos = [];
    for (const id of (match[1] as string).split(",")) {
      const v = getVideo(ctx.sql, id);
      if (!v || v.channel_id !== channel.id) return { reply: forbidden() };
      videos.push(v);
    }
  } else {
    videos = videosOfChannel(ctx.sql, channel.id);
  }

  const prepared = videos.map((v) => ({
    sim: simVideo(v),
    spans: titleSpans(titlesOf(ctx.sql, v.id)),
    overrides: ctrOverridesOf(ctx.sql, v.id),
  }));
  const dayTotals = (day: string) => {
    const from = pacificDayStart(day);
    const to = pacificDayStart(nextDay(day));
    const sum = { views: 0, impressions: 0, watchSeconds: 0 };
    for (const p of prepared) {
      const a = accrue(p.sim, p.spans, p.overrides, from, to);
      sum.views += a.views;
      sum.impressions += a.impressions;
      sum.watchSeconds += a.watchSeconds;
    }
    return sum;
  };
  const available: string[] = [];
  for (let day = startDate as string; day <= (endDate as string); day = nextDay(day)) {
    if (pacificDayStart(nextDay(day)) + ANALYTICS_DELAY_MS > ctx.nowSim) break;
    available.push(day);
    if (available.length > 3660) break;
  }
  const row = (t: { views: number; impressions: number; watchSeconds: number }) =>
    metricList.map((m) => metricValue(m as Metric, t));
  let rows: (string | number)[][];
  if (dimensions === "day") {
    rows = available.map((day) => [day, ...row(dayTotals(day))]);
  } else {
    const total = { views: 0, impressions: 0, watchSeconds: 0 };
    for (const day of available) {
      const t = dayTotals(day);
      total.views += t.views;
      total.impressions += t.impressions;
      total.watchSeconds += t.watchSeconds;
    }
    rows = available.length ? [row(total)] : [];
  }
  const columnHeaders = [
    ...(dimensions === "day" ? [{ name: "day", columnType: "DIMENSION", dataType: "STRING" }] : []),
    ...metricList.map((m) => ({ name: m, columnType: "METRIC", dataType: METRICS[m as Metric] })),
  ];
  // Google leaves `rows` out when there is no data.
  return {
    reply: json(200, {
      kind: "youtubeAnalytics#resultTable",
      columnHeaders,
      ...(rows.length ? { rows } : {}),
    }),
  };
}

function metricValue(
  metric: Metric,
  t: { views: number; impressions: number; watchSeconds: number },
): number {
  switch (metric) {
    case "views":
      return t.views;
    case "estimatedMinutesWatched":
      return Math.round(t.watchSeconds / 60);
    case "averageViewDuration":
      return t.views ? Math.round(t.watchSeconds / t.views) : 0;
    case "videoThumbnailImpressions":
      return t.impressions;
    case "videoThumbnailImpressionsClickRate":
      // A ratio (clicks / impressions), as the Reporting API defines it.
      return t.impressions ? Math.round((t.views / t.impressions) * 1e6) / 1e6 : 0;
  }
}
