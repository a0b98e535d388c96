import { and, asc, eq, gte, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { analyticsPolls, tests } from "../../schema";
import { Invalid, NotFound } from "../domain/errors";
import { pacificDayKey } from "../quota/pacific-day";
import { type Plan, planTest } from "../stats/plan";
import { accountOf } from "../users/queries";
import { actForUser } from "../users/youtube-user";
import type { DailyVideoMetrics, Video } from "../youtube/types";
import { videoId } from "./input";
import { checkInterval } from "./schedule-checks";
import type { TitleTestScope } from "./scope";

/**
 * The plan before a test starts: how long a test of N titles every M minutes on this video needs
 * to find +10/+20/+50 %, from the video's own recent traffic (`worker/stats/plan.ts` does the
 * statistics; this module finds the traffic). Traffic comes from the YouTube Analytics API's daily
 * views; a video Analytics has nothing for yet (new, or its days still lag) falls back to the view
 * counts the product polled during its tests, and lastly to the video's lifetime average.
 */

const DAY_MS = 86_400_000;
/** How far back the traffic is read: four weeks, so a weekly swing shows evenly. */
const WINDOW_DAYS = 28;
/** Traffic is cached per user and video this long (YouTube reads are cached 5–15 minutes). */
const TRAFFIC_TTL_SECONDS = 10 * 60;
/**
 * The planner models slots of 15 minutes and more; the local stack's 1–10-minute demo intervals
 * are planned as 15-minute ones (and the answer says so).
 */
const PLANNER_MIN_INTERVAL = 15;

/** `GET /api/videos/:id/plan`'s query: the titles (the current one included) and the interval. */
export const planQuery = z.object({
  titles: z.coerce
    .number({ message: "titles must be a number" })
    .int("titles must be a whole number")
    .min(2, "A test has at least 2 titles")
    .max(5, "A test has at most 5 titles"),
  intervalMinutes: z.coerce
    .number({ message: "intervalMinutes must be a number" })
    .int("intervalMinutes must be a whole number of minutes")
    .min(1, "intervalMinutes must be at least 1")
    .max(1440, "intervalMinutes must be at most 1440"),
});

/** A YouTube video id in a path, as the tests API checks it. */
export const videoIdParam = z.object({ id: videoId });

/** Where a video's daily views came from. */
export type TrafficSource = "analytics" | "polls" | "lifetime";

/** A video's recent traffic as the planner reads it. */
export interface VideoTraffic {
  source: TrafficSource;
  /** Views per day, oldest first (1–28 days). */
  dailyViews: number[];
}

/** What `GET /api/videos/:id/plan` answers. */
export interface VideoPlan extends Plan {
  videoId: string;
  titles: number;
  intervalMinutes: number;
  /** The interval the planner modelled: `intervalMinutes`, or 15 for the local demo's shorter ones. */
  plannedIntervalMinutes: number;
  traffic: VideoTraffic;
}

/**
 * Plans a test of `titles` titles every `intervalMinutes` on the creator's own video. The interval
 * must be one the creator's plan allows; another creator's video (or none) is NotFound.
 */
export async function planForVideo(
  scope: TitleTestScope,
  videoId: string,
  query: z.infer<typeof planQuery>,
): Promise<VideoPlan> {
  const { titles, intervalMinutes } = query;
  checkInterval(scope.env, scope.user.plan, intervalMinutes);
  const traffic = await trafficOf(scope, videoId, Date.now());
  const planned = Math.max(PLANNER_MIN_INTERVAL, intervalMinutes);
  let plan: Plan;
  try {
    plan = planTest({ dailyViews: traffic.dailyViews, variants: titles, intervalMinutes: planned });
  } catch (err) {
    // The query was checked above, so this is traffic the planner refuses: still the caller's 400.
    if (err instanceof RangeError) throw new Invalid("", err.message);
    throw err;
  }
  return { videoId, titles, intervalMinutes, plannedIntervalMinutes: planned, traffic, ...plan };
}

function trafficKey(userId: string, videoId: string): string {
  // Scoped to the user like every cached YouTube read: one creator never reads another's entry.
  return ["plan:t1", userId, videoId].map(encodeURIComponent).join(":");
}

/** The video's traffic, cached per user and video; only the owner's video is ever cached. */
async function trafficOf(scope: TitleTestScope, videoId: string, now: number): Promise<VideoTraffic> {
  const { env, db, user } = scope;
  const key = trafficKey(user.id, videoId);
  const cached = (await env.CACHE.get(key, "json")) as VideoTraffic | null;
  if (cached) return cached;

  const account = await accountOf(db, user.id);
  const { video, days } = await actForUser(env, db, user, async (client, yt) => {
    const [found] = await client.getVideos(yt, [videoId]);
    if (!found?.snippet || !account?.channelId || found.snippet.channelId !== account.channelId) {
      throw new NotFound("No such video on your channel.");
    }
    const start = pacificDayKey(now - (WINDOW_DAYS + 2) * DAY_MS);
    const end = pacificDayKey(now);
    return { video: found, days: await client.getDailyVideoMetrics(yt, videoId, start, end, "views") };
  });
  const traffic =
    fromAnalytics(days, video) ?? (await fromPolls(scope, videoId, now)) ?? fromLifetime(video, now);
  await env.CACHE.put(key, JSON.stringify(traffic), { expirationTtl: TRAFFIC_TTL_SECONDS });
  return traffic;
}

/**
 * The Analytics days since the video's first views, the last 28 of them; null when there are none
 * (a new video, or days still behind YouTube's delay): days before publishing, or before any view,
 * say nothing about the traffic a test will see.
 */
function fromAnalytics(days: readonly DailyVideoMetrics[], video: Video): VideoTraffic | null {
  const published = video.snippet?.publishedAt ? pacificDayKey(Date.parse(video.snippet.publishedAt)) : "";
  const sorted = [...days].filter((d) => d.day >= published).sort((a, b) => a.day.localeCompare(b.day));
  const first = sorted.findIndex((d) => d.views > 0);
  if (first < 0) return null;
  return {
    source: "analytics",
    dailyViews: sorted
      .slice(first)
      .slice(-WINDOW_DAYS)
      .map((d) => d.views),
  };
}

/** The creator's own polls of this video's view count during their tests, last 28 days, oldest first. */
async function fromPolls(scope: TitleTestScope, videoId: string, now: number): Promise<VideoTraffic | null> {
  const rows = await scope.db
    .select({ at: analyticsPolls.polledAt, views: analyticsPolls.viewCount })
    .from(analyticsPolls)
    .innerJoin(tests, eq(tests.id, analyticsPolls.testId))
    .where(
      and(
        eq(tests.userId, scope.user.id),
        eq(tests.videoId, videoId),
        eq(analyticsPolls.kind, "poll"),
        isNotNull(analyticsPolls.viewCount),
        gte(analyticsPolls.polledAt, new Date(now - WINDOW_DAYS * DAY_MS)),
      ),
    )
    .orderBy(asc(analyticsPolls.polledAt));
  const dailyViews = dailyDeltas(rows.map((r) => ({ at: r.at.getTime(), views: r.views ?? 0 })));
  return dailyViews ? { source: "polls", dailyViews } : null;
}

/** Polls closer together than this say too little about a day's traffic. */
const MIN_POLL_SPAN_MS = 3_600_000;

/**
 * Views per day from view counts polled at times `at` (ascending): the count's growth over each
 * whole day ending at the last poll (read between polls by linear interpolation), or, with less
 * than a day of polls, their rate scaled to a day. Null with under an hour of polls.
 */
export function dailyDeltas(polls: readonly { at: number; views: number }[]): number[] | null {
  // A count that went down (YouTube removed spam views) is held, never negative growth.
  let high = 0;
  const points = polls.map((p) => {
    high = Math.max(high, p.views);
    return { at: p.at, views: high };
  });
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || last.at - first.at < MIN_POLL_SPAN_MS) return null;
  const span = last.at - first.at;
  const whole = Math.floor(span / DAY_MS);
  if (whole === 0) return [((last.views - first.views) * DAY_MS) / span];
  const at = (t: number): number => {
    const i = points.findIndex((p) => p.at >= t);
    const after = points[i] ?? last;
    const before = points[i - 1] ?? after;
    if (after.at === before.at) return after.views;
    return before.views + ((after.views - before.views) * (t - before.at)) / (after.at - before.at);
  };
  const out: number[] = [];
  for (let d = whole; d >= 1; d--) out.push(at(last.at - (d - 1) * DAY_MS) - at(last.at - d * DAY_MS));
  return out;
}

/** The last resort: the video's views since publishing, as one average day. */
function fromLifetime(video: Video, now: number): VideoTraffic {
  const views = video.statistics?.viewCount ?? 0;
  const published = video.snippet?.publishedAt ? Date.parse(video.snippet.publishedAt) : Number.NaN;
  // Under a day old: its views so far are its first day (a rate from minutes would overshoot).
  const days = Number.isFinite(published) ? Math.max(1, (now - published) / DAY_MS) : 1;
  return { source: "lifetime", dailyViews: [views / days] };
}
