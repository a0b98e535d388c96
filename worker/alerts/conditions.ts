import { and, count, gt, inArray, lt, lte, max, sql } from "drizzle-orm";
import { rateLimiter } from "../../durable-objects/rate-limiter/stub";
import { deadLetters, tests } from "../../schema";
import type { Db } from "../db/client";
import type { AlertRaiseJob } from "../jobs/messages";
import { minuteOf } from "../metrics/batch";
import { flushMetrics, metricsShards } from "../metrics/record";

/**
 * The operational conditions the five-minute cron watches, each answering the alerts that hold
 * now. Quota alerts are not here: the QuotaLedger raises and clears those itself.
 */

/** Alert kinds raised here; one open alert per kind + subject. */
export const OPS_ALERT_KINDS = {
  youtubeErrors: "youtube.error_rate",
  deadLetters: "jobs.dead_letters",
  stuckTest: "test.stuck",
  rateLimiter: "rate_limiter.failing",
} as const;

/** The window and thresholds of the YouTube error-rate alert. */
export const YOUTUBE_ERROR_RATE = { windowMinutes: 15, minCalls: 20, maxFailedShare: 0.05 } as const;

/** A dead letter keeps its queue's alert open this long after it arrived. */
export const DEAD_LETTER_QUIET_MINUTES = 60;

/** A running or scheduled test this many intervals past its boundary is stuck (as the sweep sees it). */
export const STUCK_INTERVALS = 2;

/** At most this many stuck tests are looked at per run (each is an alert of its own). */
export const STUCK_LIMIT = 500;

/** An alert whose condition holds now. */
export type Firing = Omit<AlertRaiseJob, "type">;

/**
 * More than 5 % of the last 15 minutes' YouTube calls failed (status ≥ 500 or no answer), over at
 * least 20 calls, summed over the MetricsRecorder shards' per-minute tallies.
 */
export async function youtubeErrorRate(env: Pick<Env, "METRICS_RECORDER">, now: number): Promise<Firing[]> {
  await flushMetrics(env);
  const to = minuteOf(now);
  const from = to - YOUTUBE_ERROR_RATE.windowMinutes + 1;
  const windows = await Promise.all(metricsShards(env).map((shard) => shard.youtubeWindow(from, to)));
  const calls = windows.reduce((sum, w) => sum + w.calls, 0);
  const errors = windows.reduce((sum, w) => sum + w.errors, 0);
  if (calls < YOUTUBE_ERROR_RATE.minCalls || errors / calls <= YOUTUBE_ERROR_RATE.maxFailedShare) return [];
  const percent = ((100 * errors) / calls).toFixed(1);
  return [
    {
      kind: OPS_ALERT_KINDS.youtubeErrors,
      subject: "youtube",
      severity: "critical",
      message: `${percent} % of YouTube calls failed in the last ${YOUTUBE_ERROR_RATE.windowMinutes} minutes (${errors} of ${calls})`,
      data: { calls, errors },
    },
  ];
}

/**
 * Dead letters arrived on a queue within the last hour. There is no acknowledgement column, so an
 * episode is a burst of dead letters: it clears after an hour with no new ones (the admin page
 * keeps the rows themselves).
 */
export async function recentDeadLetters(db: Db, now: number): Promise<Firing[]> {
  const since = new Date(now - DEAD_LETTER_QUIET_MINUTES * 60_000);
  const rows = await db
    .select({ queue: deadLetters.queue, n: count(), last: max(deadLetters.receivedAt) })
    .from(deadLetters)
    .where(and(gt(deadLetters.receivedAt, since), lte(deadLetters.receivedAt, new Date(now))))
    .groupBy(deadLetters.queue);
  return rows.map((row) => ({
    kind: OPS_ALERT_KINDS.deadLetters,
    subject: row.queue,
    severity: "warning",
    message: `${row.n} job(s) on ${row.queue} failed every retry in the last ${DEAD_LETTER_QUIET_MINUTES} minutes`,
    data: { count: row.n, lastAt: row.last?.toISOString() ?? null },
  }));
}

/**
 * Running or scheduled tests whose next step is more than two intervals late. The episode is the
 * boundary the test is stuck at, so a test stuck again at a later boundary is a new episode.
 */
export async function stuckTests(db: Db, now: number): Promise<Firing[]> {
  const rows = await db
    .select({ id: tests.id, nextRotationAt: tests.nextRotationAt, intervalMinutes: tests.intervalMinutes })
    .from(tests)
    .where(
      and(
        inArray(tests.status, ["scheduled", "running"]),
        lt(
          sql`${tests.nextRotationAt} + make_interval(mins => ${tests.intervalMinutes} * ${STUCK_INTERVALS})`,
          new Date(now),
        ),
      ),
    )
    .orderBy(tests.nextRotationAt)
    .limit(STUCK_LIMIT);
  return rows.map((row) => {
    const boundary = row.nextRotationAt?.toISOString() ?? "";
    return {
      kind: OPS_ALERT_KINDS.stuckTest,
      subject: row.id,
      severity: "warning",
      message: `Test ${row.id} has not rotated since its boundary at ${boundary} (interval ${row.intervalMinutes} min)`,
      episode: boundary,
      data: { nextRotationAt: boundary, intervalMinutes: row.intervalMinutes },
    };
  });
}

/**
 * The rate limiter is failing: a probe lease from a RateLimiter object of its own throws. While
 * it fails, reads, health and sign-in go through unlimited and writes answer 503
 * (`ttp_rate_limiter_failures_total` counts both), so an operator must hear of it.
 */
export async function rateLimiterFailing(env: Pick<Env, "RATE_LIMITER">, now: number): Promise<Firing[]> {
  try {
    await rateLimiter(env, "probe:cron").lease(1, 60, 1, now);
    return [];
  } catch (err) {
    return [
      {
        kind: OPS_ALERT_KINDS.rateLimiter,
        subject: "rate_limiter",
        severity: "critical",
        message:
          "The RateLimiter Durable Object is failing: reads and sign-in run unlimited, writes answer 503",
        data: { error: err instanceof Error ? err.message : String(err) },
      },
    ];
  }
}
