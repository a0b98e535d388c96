import { and, eq, inArray, sql } from "drizzle-orm";
import { liveTestStatuses, reportingJobs, tests, videoReachDays } from "../../schema";
import type { Db } from "../db/client";
import { pacificDay, pacificDayKey } from "../quota/pacific-day";
import type { YouTubeClient, YouTubeUser } from "../youtube/client";
import { googleEndpoints } from "../youtube/endpoints";
import { YouTubeError } from "../youtube/errors";
import {
  type DailyReach,
  REACH_REPORT_TYPE,
  type ReportingJob,
  type ReportingReport,
  YouTubeReportingClient,
} from "../youtube/reporting";
import { asCreator } from "./as-creator";

/**
 * Thumbnail impressions and clicks, from the YouTube Reporting API into Postgres. The Analytics
 * API does not serve them; the Reporting API publishes them as a daily CSV per channel
 * (`channel_reach_basic_a1`) once a job exists for it: the first reports about 48 hours after the
 * job is created (with 30 days of backfill), then one a day, each about 48 hours after its day
 * ends. Two queue jobs: `reporting.ensure` (at sign-in and at a CTR test's start) creates the job
 * and stores its id and creation time; `reach.fetch` (daily, from the cron) stores the new
 * reports' rows. CTR tests are decided from those rows (`durable-objects/test-rotator/daily-metrics.ts`).
 */

/** How long after a day ends (or after its job is created, for backfilled days) its report comes. */
export const REPORT_LAG_MS = 48 * 3_600_000;

/** A creator's reach job as stored. */
export interface StoredReportingJob {
  jobId: string;
  jobCreatedAt: Date;
  reportsSeenUntil: Date | null;
}

/** What a `reach.fetch` did: reports read and day rows written. */
export interface ReachFetchOutcome {
  reports: number;
  rows: number;
}

/**
 * About when the reach figures of Pacific day `day` (`YYYY-MM-DD`) arrive: 48 hours after the day
 * ends, or after the job was created when the job is younger (its first reports backfill the days
 * before it). Without a job, null: nothing arrives until one exists.
 */
export function reachExpectedAt(day: string, jobCreatedAt: number | null): number | null {
  if (jobCreatedAt === null) return null;
  const dayEnds = pacificDay(Date.parse(`${day}T12:00:00Z`)).endsAt;
  return Math.max(dayEnds, jobCreatedAt) + REPORT_LAG_MS;
}

/** The `reporting.ensure` job: the creator's reach job exists and is stored (idempotent). */
export async function ensureReportingJob(
  db: Db,
  env: Env,
  userId: string,
): Promise<StoredReportingJob | null> {
  return withReporting(db, env, userId, async (reporting, user) =>
    storeJob(db, userId, await reporting.ensureJob(user, REACH_REPORT_TYPE)),
  );
}

/**
 * The `reach.fetch` job: lists the reports created since the last fetch, downloads each and
 * upserts its rows for the videos of the creator's live CTR tests. Idempotent: a redelivery
 * finds the same reports (the cursor moves only once all are stored) and writes the same rows.
 * A creator without a grant is left to reconnect (null), not retried.
 */
export async function fetchReach(db: Db, env: Env, userId: string): Promise<ReachFetchOutcome | null> {
  return withReporting(db, env, userId, async (reporting, user) => {
    let job =
      (await storedJobOf(db, userId)) ?? (await storeJob(db, userId, await reporting.ensureJob(user)));
    let reports: ReportingReport[];
    try {
      reports = await reporting.listReports(user, job.jobId, {
        createdAfter: job.reportsSeenUntil?.getTime(),
      });
    } catch (err) {
      if (!(err instanceof YouTubeError && err.kind === "not_found")) throw err;
      // The job is gone (deleted by the creator, or expired): a new one starts over.
      job = await storeJob(db, userId, await reporting.ensureJob(user));
      reports = await reporting.listReports(user, job.jobId);
    }
    const videos = await ctrVideosOf(db, userId);
    let rows = 0;
    let seenUntil = job.reportsSeenUntil?.getTime() ?? 0;
    for (const report of [...reports].sort((a, b) => Date.parse(a.createTime) - Date.parse(b.createTime))) {
      // A channel without a live CTR test needs no download: its days would never be read.
      if (videos.size > 0)
        rows += await storeReport(db, userId, videos, report, await reporting.downloadReach(user, report));
      seenUntil = Math.max(seenUntil, Date.parse(report.createTime));
    }
    if (reports.length > 0) {
      await db
        .update(reportingJobs)
        .set({ reportsSeenUntil: new Date(seenUntil), updatedAt: new Date() })
        .where(and(eq(reportingJobs.userId, userId), eq(reportingJobs.reportType, REACH_REPORT_TYPE)));
    }
    return { reports: reports.length, rows };
  });
}

/** The creator's stored reach job, if any. */
export async function storedJobOf(db: Db, userId: string): Promise<StoredReportingJob | null> {
  const [row] = await db.$primary
    .select({
      jobId: reportingJobs.jobId,
      jobCreatedAt: reportingJobs.jobCreatedAt,
      reportsSeenUntil: reportingJobs.reportsSeenUntil,
    })
    .from(reportingJobs)
    .where(and(eq(reportingJobs.userId, userId), eq(reportingJobs.reportType, REACH_REPORT_TYPE)));
  return row ?? null;
}

async function storeJob(db: Db, userId: string, job: ReportingJob): Promise<StoredReportingJob> {
  const jobCreatedAt = new Date(job.createTime);
  // The same job is left as stored (its cursor stays); another job (the old one was deleted)
  // replaces it, and its reports start over.
  await db
    .insert(reportingJobs)
    .values({ userId, reportType: REACH_REPORT_TYPE, jobId: job.id, jobCreatedAt })
    .onConflictDoUpdate({
      target: [reportingJobs.userId, reportingJobs.reportType],
      set: { jobId: job.id, jobCreatedAt, reportsSeenUntil: null, updatedAt: new Date() },
      setWhere: sql`${reportingJobs.jobId} <> excluded.job_id`,
    });
  const stored = await storedJobOf(db, userId);
  if (!stored) throw new Error("the reporting job was not stored");
  return stored;
}

/** The videos of the creator's live CTR tests: the only ones whose reach is stored. */
async function ctrVideosOf(db: Db, userId: string): Promise<Set<string>> {
  const rows = await db.$primary
    .selectDistinct({ videoId: tests.videoId })
    .from(tests)
    .where(and(eq(tests.userId, userId), eq(tests.metric, "ctr"), inArray(tests.status, liveTestStatuses)));
  return new Set(rows.map((r) => r.videoId));
}

const ROWS_PER_INSERT = 500;

/**
 * Upserts one report's rows of `videos`. A report covers the whole channel for its days, and
 * leaves out rows whose metrics are all zero: a tracked video absent from it had no impressions
 * that day (a 0/0 row, so the day is known rather than missing). A row is replaced only by a
 * report created at or after the one that wrote it: late corrections replace, an older report
 * downloaded late never overwrites a newer one.
 */
async function storeReport(
  db: Db,
  userId: string,
  videos: ReadonlySet<string>,
  report: ReportingReport,
  reach: readonly DailyReach[],
): Promise<number> {
  const reportCreatedAt = new Date(report.createTime);
  const byKey = new Map<string, { videoId: string; day: string; impressions: number; clicks: number }>();
  const days = new Set(reach.map((r) => r.day));
  days.add(pacificDayKey(Date.parse(report.startTime)));
  for (const day of days)
    for (const videoId of videos) byKey.set(`${videoId}|${day}`, { videoId, day, impressions: 0, clicks: 0 });
  for (const r of reach) {
    if (!videos.has(r.videoId)) continue;
    byKey.set(`${r.videoId}|${r.day}`, {
      videoId: r.videoId,
      day: r.day,
      impressions: r.impressions,
      clicks: r.clicks,
    });
  }
  const rows = [...byKey.values()].map((r) => ({ ...r, userId, reportCreatedAt }));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insert(videoReachDays)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflictDoUpdate({
        target: [videoReachDays.videoId, videoReachDays.day],
        set: {
          userId: sql`excluded.user_id`,
          impressions: sql`excluded.impressions`,
          clicks: sql`excluded.clicks`,
          reportCreatedAt: sql`excluded.report_created_at`,
          storedAt: sql`now()`,
        },
        setWhere: sql`excluded.report_created_at >= ${videoReachDays.reportCreatedAt}`,
      });
  }
  return rows.length;
}

/**
 * Runs Reporting calls for a creator with their grant (`asCreator`: background priority; Reporting
 * calls cost no Data API units). A creator without a grant answers null.
 */
async function withReporting<T>(
  db: Db,
  env: Env,
  userId: string,
  work: (reporting: YouTubeReportingClient, user: YouTubeUser) => Promise<T>,
): Promise<T | null> {
  return asCreator(db, env, userId, (client, user) => work(reportingClientOf(env, client), user));
}

function reportingClientOf(env: Env, client: YouTubeClient): YouTubeReportingClient {
  return new YouTubeReportingClient({
    endpoints: googleEndpoints(env),
    accessToken: (user, force) => client.accessToken(user, force),
  });
}
