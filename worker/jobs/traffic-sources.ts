import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { liveTestStatuses, tests, trafficSources } from "../../schema";
import type { Db } from "../db/client";
import { enqueueJobs } from "../queue/send";
import { slotsOf } from "../title-tests/queries";
import { DAILY_SLOT_MINUTES, finalDayRange } from "../title-tests/traffic-sources";
import { asCreator } from "./as-creator";
import type { TrafficSourcesJob } from "./messages";

const DAY_MS = 86_400_000;

/**
 * How long after it ends a daily-slot test keeps being re-fetched: its last day is final 48 h
 * after it ends, and one more pass after that picks up YouTube's late revisions.
 */
const TRAFFIC_SOURCES_AFTER_END_MS = 4 * DAY_MS;

/**
 * The `traffic.sources` job: fetches the video's views and minutes by day and traffic source for
 * every day of the test that is final by `asOf` (the cron's time), and stores them. Re-fetches
 * replace: each returned (day, source) is upserted, and a source a returned day no longer lists is
 * removed; a day YouTube returned nothing for keeps what was stored. A creator without a grant is
 * left to reconnect (not a failure to retry). The Analytics API costs no Data API units.
 */
export async function fetchTrafficSources(db: Db, env: Env, job: TrafficSourcesJob): Promise<number> {
  const [test] = await db.$primary
    .select({ id: tests.id, userId: tests.userId, videoId: tests.videoId, interval: tests.intervalMinutes })
    .from(tests)
    .where(eq(tests.id, job.testId));
  if (!test || test.interval !== DAILY_SLOT_MINUTES) return 0;
  const range = finalDayRange(await slotsOf(db, test.id), job.asOf);
  if (!range) return 0;
  const rows = await asCreator(db, env, test.userId, (client, user) =>
    client.getDailyTrafficSources(user, test.videoId, range.from, range.to),
  );
  if (!rows) return 0;
  const fetchedAt = new Date();
  const values = rows
    .filter((r) => r.day >= range.from && r.day <= range.to && r.source !== "")
    .map((r) => ({
      videoId: test.videoId,
      day: r.day,
      source: r.source,
      views: Math.max(0, Math.round(r.views)),
      minutes: Math.max(0, r.estimatedMinutesWatched),
      fetchedAt,
    }));
  if (values.length === 0) return 0;
  await db
    .insert(trafficSources)
    .values(values)
    .onConflictDoUpdate({
      target: [trafficSources.videoId, trafficSources.day, trafficSources.source],
      set: { views: sql`excluded.views`, minutes: sql`excluded.minutes`, fetchedAt },
    });
  const days = [...new Set(values.map((v) => v.day))];
  await db
    .delete(trafficSources)
    .where(
      and(
        eq(trafficSources.videoId, test.videoId),
        inArray(trafficSources.day, days),
        lt(trafficSources.fetchedAt, fetchedAt),
      ),
    );
  return values.length;
}

/**
 * The daily fan-out: one `traffic.sources` job per daily-slot test that is live or ended within
 * {@link TRAFFIC_SOURCES_AFTER_END_MS}, all judged as of `asOf`.
 */
export async function enqueueTrafficSources(env: Env, db: Db, asOf: number): Promise<number> {
  const rows = await db
    .select({ id: tests.id })
    .from(tests)
    .where(
      and(
        eq(tests.intervalMinutes, DAILY_SLOT_MINUTES),
        or(
          inArray(tests.status, liveTestStatuses),
          gte(tests.finishedAt, new Date(asOf - TRAFFIC_SOURCES_AFTER_END_MS)),
        ),
      ),
    );
  const jobs: TrafficSourcesJob[] = rows.map(({ id }) => ({ type: "traffic.sources", testId: id, asOf }));
  await enqueueJobs(env, jobs);
  return jobs.length;
}
