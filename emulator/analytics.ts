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
import { mix, uniforms } from "./random";
import { isReply, json, type Reply } from "./reply";
import { splitWhole } from "./report-types";
import { accrue } from "./simulation";

/**
 * YouTube Analytics API v2 `reports.query` (GET /v2/reports) for one channel. Like Google it
 * answers only the query shapes of its channel-report tables (dimensions, filters and metrics that
 * go together) and refuses every other combination with "The query is not supported"; the emulator
 * serves the subset of those tables the product reads (see README). Days are Pacific days; a day
 * appears only once 48 simulated hours have passed since it ended, as YouTube's data lags.
 */

/** Metrics the emulator computes, with their column data types. */
const METRICS = {
  views: "INTEGER",
  estimatedMinutesWatched: "INTEGER",
  averageViewDuration: "INTEGER",
} as const;

type Metric = keyof typeof METRICS;

/**
 * Identifiers the API knows (so a query naming them is "not supported", not "unknown"): the
 * emulator's metrics plus other channel-report metrics it does not compute.
 */
const KNOWN_METRICS = new Set<string>([
  ...Object.keys(METRICS),
  // Names Google knows but serves in none of its tables (the Reporting API's reach reports have them).
  "videoThumbnailImpressions",
  "videoThumbnailImpressionsClickRate",
  "averageViewPercentage",
  "likes",
  "dislikes",
  "comments",
  "shares",
  "subscribersGained",
  "subscribersLost",
  "engagedViews",
  "redViews",
  "estimatedRedMinutesWatched",
  "cardClicks",
  "cardImpressions",
]);
const KNOWN_DIMENSIONS = new Set([
  "day",
  "month",
  "video",
  "country",
  "province",
  "insightTrafficSourceType",
  "insightTrafficSourceDetail",
  "insightPlaybackLocationType",
  "deviceType",
  "operatingSystem",
  "subscribedStatus",
  "ageGroup",
  "gender",
  "liveOrOnDemand",
  "creatorContentType",
]);
const KNOWN_FILTERS = new Set(["video", "country", "continent", "subContinent", "group", "province"]);

/** One channel-report query shape: its dimensions (any order), filters and metrics. */
interface QueryShape {
  name: string;
  dimensions: readonly string[];
  filters: readonly string[];
  metrics: ReadonlySet<string>;
}

/**
 * The metrics of the basic and time-based tables. Thumbnail impressions and their CTR are in none
 * of Google's Analytics tables (it answers "not supported" with every dimension and filter): they
 * come from the Reporting API's reach reports.
 */
const CORE: readonly Metric[] = ["views", "estimatedMinutesWatched", "averageViewDuration"];

/** The channel-report tables the emulator answers (a subset of Google's, same combinations). */
const SHAPES: readonly QueryShape[] = [
  { name: "basic stats", dimensions: [], filters: ["video"], metrics: new Set(CORE) },
  { name: "time-based", dimensions: ["day"], filters: ["video"], metrics: new Set(CORE) },
  {
    name: "traffic sources",
    dimensions: ["insightTrafficSourceType"],
    filters: ["video"],
    metrics: new Set(["views", "estimatedMinutesWatched"]),
  },
  {
    name: "traffic sources by day",
    dimensions: ["day", "insightTrafficSourceType"],
    filters: ["video"],
    metrics: new Set(["views", "estimatedMinutesWatched"]),
  },
];

/** Google's answer to any combination outside its tables. */
export const UNSUPPORTED_QUERY =
  "The query is not supported. Check the documentation at https://developers.google.com/youtube/analytics/v2/available_reports for a list of supported queries.";

/** Traffic sources a video's views come from, with their typical weights. */
const TRAFFIC_SOURCES: readonly [string, number][] = [
  ["SUBSCRIBER", 0.3],
  ["RELATED_VIDEO", 0.25],
  ["YT_SEARCH", 0.2],
  ["YT_CHANNEL", 0.08],
  ["EXT_URL", 0.06],
  ["PLAYLIST", 0.05],
  ["NOTIFICATION", 0.04],
  ["YT_OTHER_PAGE", 0.02],
];

/** Hours of delay before a day's data appears. */
export const ANALYTICS_DELAY_MS = 2 * DAY_MS;

const badRequest = (message: string) => apiError(400, message, { domain: "global", reason: "badRequest" });
const forbidden = () => apiError(403, "Forbidden", { domain: "global", reason: "forbidden" });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** The query's shape, or the error Google answers it with. */
function matchShape(
  dimensions: readonly string[],
  filterKeys: readonly string[],
  metrics: readonly string[],
): QueryShape | Reply {
  for (const m of metrics)
    if (!KNOWN_METRICS.has(m))
      return badRequest(`Unknown identifier (${m}) given in field parameters.metrics.`);
  for (const d of dimensions)
    if (!KNOWN_DIMENSIONS.has(d))
      return badRequest(`Unknown identifier (${d}) given in field parameters.dimensions.`);
  for (const f of filterKeys)
    if (!KNOWN_FILTERS.has(f))
      return badRequest(`Unknown identifier (${f}) given in field parameters.filters.`);
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x) => b.includes(x));
  const shape = SHAPES.find(
    (s) =>
      sameSet(s.dimensions, dimensions) &&
      filterKeys.every((f) => s.filters.includes(f)) &&
      metrics.every((m) => s.metrics.has(m)),
  );
  return shape ?? badRequest(UNSUPPORTED_QUERY);
}

type Totals = { views: number; watchSeconds: number };

/** GET /v2/reports. */
export function reportsQuery(ctx: ApiContext): MethodResult {
  if (!ctx.holder) return { reply: loginRequired() };
  const { ids, startDate, endDate, metrics, dimensions, filters, sort } = ctx.params;
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
  const metricList = list(metrics);
  const dimensionList = list(dimensions);
  const filterMap = new Map<string, string>();
  for (const part of (filters ?? "").split(";").filter(Boolean)) {
    const match = /^(\w+)==(.+)$/.exec(part.trim());
    if (!match) return { reply: badRequest(`Invalid filter: ${filters}`) };
    filterMap.set(match[1] as string, match[2] as string);
  }
  const shape = matchShape(dimensionList, [...filterMap.keys()], metricList);
  if (isReply(shape)) return { reply: shape };

  let videos: VideoRow[];
  const videoFilter = filterMap.get("video");
  if (videoFilter !== undefined) {
    if (!/^[\w-]+(?:,[\w-]+)*$/.test(videoFilter)) return { reply: badRequest(`Invalid filter: ${filters}`) };
    videos = [];
    for (const id of videoFilter.split(",")) {
      const v = getVideo(ctx.sql, id);
      if (!v || v.channel_id !== channel.id) return { reply: forbidden() };
      videos.push(v);
    }
  } else {
    videos = videosOfChannel(ctx.sql, channel.id);
  }
  const columns = [...dimensionList, ...metricList];
  const sortKeys = list(sort);
  for (const key of sortKeys) {
    if (!columns.includes(key.replace(/^-/, "")))
      return { reply: badRequest(`Unknown identifier (${key}) given in field parameters.sort.`) };
  }

  const bySource = dimensionList.includes("insightTrafficSourceType");
  const prepared = videos.map((v) => ({
    sim: simVideo(v),
    spans: titleSpans(titlesOf(ctx.sql, v.id)),
    overrides: ctrOverridesOf(ctx.sql, v.id),
    weights: bySource ? trafficWeights(v.seed) : [],
  }));
  const available: string[] = [];
  for (let day = startDate as string; day <= (endDate as string); day = nextDay(day)) {
    if (pacificDayStart(nextDay(day)) + ANALYTICS_DELAY_MS > ctx.nowSim) break;
    available.push(day);
    if (available.length > 3660) break;
  }
  // Totals per (day or "", traffic source or "").
  const cells = new Map<string, Totals & { day: string; source: string }>();
  const add = (day: string, source: string, t: Totals) => {
    const key = `${day}|${source}`;
    const cell = cells.get(key) ?? { day, source, views: 0, watchSeconds: 0 };
    cell.views += t.views;
    cell.watchSeconds += t.watchSeconds;
    cells.set(key, cell);
  };
  for (const day of available) {
    const from = pacificDayStart(day);
    const to = pacificDayStart(nextDay(day));
    const dayKey = dimensionList.includes("day") ? day : "";
    for (const p of prepared) {
      const a = accrue(p.sim, p.spans, p.overrides, from, to);
      if (!bySource) {
        add(dayKey, "", a);
        continue;
      }
      const views = splitWhole(a.views, p.weights);
      const seconds = splitWhole(a.watchSeconds, p.weights);
      TRAFFIC_SOURCES.forEach(([source], i) => {
        add(dayKey, source, { views: views[i] as number, watchSeconds: seconds[i] as number });
      });
    }
  }
  let rows: (string | number)[][] = [...cells.values()]
    // Google leaves out the rows of a breakdown that have no views; a total is there once any day is.
    .filter((c) => !bySource || c.views > 0)
    .map((c) =>
      columns.map((name) =>
        name === "day"
          ? c.day
          : name === "insightTrafficSourceType"
            ? c.source
            : metricValue(name as Metric, c),
      ),
    );
  const order = sortKeys.length ? sortKeys : dimensionList.includes("day") ? ["day"] : [];
  rows = rows.sort((a, b) => {
    for (const key of order) {
      const i = columns.indexOf(key.replace(/^-/, ""));
      const x = a[i] as string | number;
      const y = b[i] as string | number;
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c) return key.startsWith("-") ? -c : c;
    }
    return 0;
  });
  const columnHeaders = [
    ...dimensionList.map((name) => ({ name, columnType: "DIMENSION", dataType: "STRING" })),
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

/** A video's traffic-source weights: the typical mix, varied per video from its seed. */
function trafficWeights(seed: number): number[] {
  const next = uniforms(mix(seed, 0x7aff1c));
  return TRAFFIC_SOURCES.map(([, w]) => w * (0.5 + next()));
}

function metricValue(metric: Metric, t: Totals): number {
  switch (metric) {
    case "views":
      return t.views;
    case "estimatedMinutesWatched":
      return Math.round(t.watchSeconds / 60);
    case "averageViewDuration":
      return t.views ? Math.round(t.watchSeconds / t.views) : 0;
  }
}
