import { and, eq, inArray } from "drizzle-orm";
import { quotaLedger } from "../durable-objects/quota-ledger/stub";
import { liveTestStatuses, tests } from "../schema";
import { evaluateOpsAlerts } from "./alerts/evaluate";
import { lapseExpiredGrace } from "./billing/sweep";
import { type Db, openDb } from "./db/client";
import type { ChannelSyncJob, ReachFetchJob } from "./jobs/messages";
import { enqueueTrafficSources } from "./jobs/traffic-sources";
import { createLogger } from "./logging/logger";
import { MetricsBatch } from "./metrics/batch";
import { sendMetrics, withMetrics } from "./metrics/record";
import { enqueueWeeklyDigests, isDigestHour } from "./notifications/weekly-digest";
import { enqueueJobs } from "./queue/send";
import { rollupUserStats } from "./rollups/user-stats";
import { rearmLateTests } from "./title-tests/sweep";

/** The cron expressions of wrangler.toml `[triggers]`, by what they run. */
export const CRON = { frequent: "*/5 * * * *", hourly: "0 * * * *" } as const;

/** Runs the tasks of one cron trigger. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const log = createLogger({ cron: controller.cron });
  if (controller.cron === CRON.frequent) {
    // The ledger's own alarm does this too; the cron is the backstop if an alarm was lost.
    await quotaLedger(env).housekeep();
    const { db, close } = openDb(env);
    const metrics = new MetricsBatch();
    try {
      const rearmed = await rearmLateTests(env, db);
      if (rearmed > 0) log.warn("sweep.late_tests", { rearmed });
      const lapsed = await lapseExpiredGrace({ env, db, log }, controller.scheduledTime);
      if (lapsed > 0) log.info("billing.grace_lapsed", { users: lapsed });
      // After the sweep: a test it re-armed stays "stuck" until its rotator has really moved on.
      const alerts = await withMetrics(metrics, () => evaluateOpsAlerts(env, db, controller.scheduledTime));
      if (alerts.raised.length + alerts.cleared.length > 0) log.info("alerts.ops", { ...alerts });
    } finally {
      await close();
      await sendMetrics(env, metrics);
    }
    return;
  }
  if (controller.cron === CRON.hourly) {
    const { db, close } = openDb(env);
    try {
      const users = await rollupUserStats(db);
      log.info("rollup.user_stats", { users });
      if (new Date(controller.scheduledTime).getUTCHours() === CHANNEL_SYNC_HOUR_UTC) {
        const synced = await enqueueChannelSyncs(env, db);
        log.info("channel.sync", { users: synced });
      }
      if (new Date(controller.scheduledTime).getUTCHours() === REACH_FETCH_HOUR_UTC) {
        const fetched = await enqueueReachFetches(env, db);
        log.info("reach.fetch", { users: fetched });
      }
      if (isDigestHour(controller.scheduledTime))
        log.info("notifications.digest", {
          users: await enqueueWeeklyDigests(env, db, controller.scheduledTime),
        });
      if (new Date(controller.scheduledTime).getUTCHours() === TRAFFIC_SOURCES_HOUR_UTC) {
        log.info("traffic.sources", {
          tests: await enqueueTrafficSources(env, db, controller.scheduledTime),
        });
      }
    } finally {
      await close();
    }
  }
}

/** The hour (UTC) at which creators with live tests get their channel re-read, once a day. */
export const CHANNEL_SYNC_HOUR_UTC = 3;

/**
 * The hour (UTC) of the daily traffic-source fetch: Pacific days end at 07:00 or 08:00 UTC, so at
 * 12:00 the day that ended 48 h before is final in YouTube Analytics.
 */
export const TRAFFIC_SOURCES_HOUR_UTC = 12;

/** Sends one `channel.sync` job per creator with a live test (the queue spreads and retries them). */
async function enqueueChannelSyncs(env: Env, db: Db): Promise<number> {
  const rows = await db
    .selectDistinct({ userId: tests.userId })
    .from(tests)
    .where(inArray(tests.status, liveTestStatuses));
  const jobs: ChannelSyncJob[] = rows.map(({ userId }) => ({ type: "channel.sync", userId }));
  await enqueueJobs(env, jobs);
  return rows.length;
}

/**
 * The hour (UTC) at which creators with a live CTR test get their new reach reports stored, once a
 * day. YouTube publishes a day's report about 48 hours after the day ends (Pacific), at no fixed
 * hour: one fetch a day adds at most a day to that.
 */
const REACH_FETCH_HOUR_UTC = 15;

/**
 * Sends one `reach.fetch` job per creator with a live CTR test (a creator without a reporting job
 * gets one made by the fetch). Creators with a job but no CTR test are left out: their reports
 * would be listed only to be skipped.
 */
export async function enqueueReachFetches(env: Env, db: Db): Promise<number> {
  const rows = await db
    .selectDistinct({ userId: tests.userId })
    .from(tests)
    .where(and(eq(tests.metric, "ctr"), inArray(tests.status, liveTestStatuses)));
  const jobs: ReachFetchJob[] = rows.map(({ userId }) => ({ type: "reach.fetch", userId }));
  await enqueueJobs(env, jobs);
  return rows.length;
}
