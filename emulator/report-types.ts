import { ctrOverridesOf, simVideo, titleSpans, titlesOf, type VideoRow, videosOfChannel } from "./catalog";
import { nextDay, pacificDayStart } from "./pacific-time";
import { mix, uniforms } from "./random";
import { type Accrued, accrue, likeRate, retention } from "./simulation";

/**
 * The YouTube Reporting API's bulk report types the emulator generates, with their documented
 * columns (dimensions first, then metrics), and the CSV of one report: one row per combination of
 * dimension values and Pacific day, computed from the viewer simulation, rows whose metrics are
 * all zero left out, as YouTube leaves them out.
 */

/** A report type as reportTypes.list answers it, plus what its CSV holds. */
export interface ReportTypeDef {
  id: string;
  name: string;
  dimensions: readonly string[];
  metrics: readonly string[];
  /** The rows of one video on one day, each a record over (some of) the columns; absent = 0. */
  rows(video: VideoRow, day: Accrued): Record<string, string | number>[];
}

/** Audience split of channel_basic_a3 by country (shares of views, fixed; sums to 1). */
const COUNTRY_SHARES: readonly [string, number][] = [
  ["US", 0.42],
  ["IN", 0.14],
  ["GB", 0.12],
  ["CA", 0.1],
  ["DE", 0.08],
  ["AU", 0.07],
  ["BR", 0.07],
];

/**
 * Splits a whole count over weights by the largest-remainder method: the parts are whole and add
 * up to `total` exactly, so a report's rows sum to the day's simulated count.
 */
export function splitWhole(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left--;
  }
  return parts;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const BASIC_A3_METRICS = [
  "engaged_views",
  "views",
  "comments",
  "likes",
  "dislikes",
  "videos_added_to_playlists",
  "videos_removed_from_playlists",
  "shares",
  "watch_time_minutes",
  "average_view_duration_seconds",
  "average_view_duration_percentage",
  "annotation_click_through_rate",
  "annotation_close_rate",
  "annotation_impressions",
  "annotation_clickable_impressions",
  "annotation_closable_impressions",
  "annotation_clicks",
  "annotation_closes",
  "card_click_rate",
  "card_teaser_click_rate",
  "card_impressions",
  "card_teaser_impressions",
  "card_clicks",
  "card_teaser_clicks",
  "subscribers_gained",
  "subscribers_lost",
  "red_views",
  "red_watch_time_minutes",
] as const;

/** User activity (channel_basic_a3): views and watch time by subscribed status and country. */
const channelBasicA3: ReportTypeDef = {
  id: "channel_basic_a3",
  name: "User activity",
  dimensions: ["date", "channel_id", "video_id", "live_or_on_demand", "subscribed_status", "country_code"],
  metrics: BASIC_A3_METRICS,
  rows(video, day) {
    // The subscribed share of a video's audience is fixed per video (10–40 %).
    const subscribed = 0.1 + 0.3 * uniforms(mix(video.seed, 0x5ab5))();
    const cells = COUNTRY_SHARES.flatMap(([country, share]) => [
      { country, status: "subscribed", weight: share * subscribed },
      { country, status: "unsubscribed", weight: share * (1 - subscribed) },
    ]);
    const views = splitWhole(
      day.views,
      cells.map((c) => c.weight),
    );
    const perView = day.views ? day.watchSeconds / day.views : 0;
    const likes = likeRate(video.seed);
    return cells.map((cell, i) => {
      const v = views[i] as number;
      return {
        live_or_on_demand: "on_demand",
        subscribed_status: cell.status,
        country_code: cell.country,
        engaged_views: v,
        views: v,
        comments: Math.round(v * 0.0015),
        likes: Math.round(v * likes),
        dislikes: Math.round(v * likes * 0.03),
        shares: Math.round(v * 0.002),
        watch_time_minutes: round((v * perView) / 60, 3),
        average_view_duration_seconds: v ? Math.round(perView) : 0,
        average_view_duration_percentage: v ? round(retention(video.seed) * 100, 2) : 0,
        subscribers_gained: cell.status === "unsubscribed" ? Math.round(v * 0.003) : 0,
        subscribers_lost: cell.status === "subscribed" ? Math.round(v * 0.0005) : 0,
      };
    });
  },
};

/** Reach basic (channel_reach_basic_a1): thumbnail impressions and their click-through rate. */
const channelReachBasicA1: ReportTypeDef = {
  id: "channel_reach_basic_a1",
  name: "Reach basic",
  dimensions: ["date", "channel_id", "video_id"],
  metrics: ["video_thumbnail_impressions", "video_thumbnail_impressions_ctr"],
  rows(_video, day) {
    // A ratio (clicks / impressions); six decimals keep round(impressions × ctr) = clicks up to
    // millions of impressions a day.
    const ctr = day.impressions ? round(day.views / day.impressions, 6) : 0;
    return [{ video_thumbnail_impressions: day.impressions, video_thumbnail_impressions_ctr: ctr }];
  },
};

/** The report types a channel can schedule in the emulator, by id. */
export const REPORT_TYPES: ReadonlyMap<string, ReportTypeDef> = new Map(
  [channelBasicA3, channelReachBasicA1].map((t) => [t.id, t]),
);

/** The CSV of one report: a header row, then one row per dimension combination for a Pacific day. */
export function reportCsv(sql: SqlStorage, type: ReportTypeDef, channelId: string, day: string): string {
  const from = pacificDayStart(day);
  const to = pacificDayStart(nextDay(day));
  const columns = [...type.dimensions, ...type.metrics];
  const lines = [columns.join(",")];
  const date = day.replaceAll("-", "");
  for (const video of videosOfChannel(sql, channelId)) {
    const accrued = accrue(
      simVideo(video),
      titleSpans(titlesOf(sql, video.id)),
      ctrOverridesOf(sql, video.id),
      from,
      to,
    );
    for (const row of type.rows(video, accrued)) {
      if (type.metrics.every((m) => !row[m])) continue;
      const full: Record<string, string | number> = {
        date,
        channel_id: channelId,
        video_id: video.id,
        ...row,
      };
      lines.push(columns.map((c) => String(full[c] ?? 0)).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}
