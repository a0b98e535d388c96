import { and, inArray, isNull } from "drizzle-orm";
import { alerts } from "../../schema";
import type { Db } from "../db/client";
import type { JobMessage } from "../jobs/messages";
import { enqueueJobs } from "../queue/send";
import {
  type Firing,
  OPS_ALERT_KINDS,
  rateLimiterFailing,
  recentDeadLetters,
  STUCK_LIMIT,
  stuckTests,
  youtubeErrorRate,
} from "./conditions";

/** What one evaluation sent: `kind/subject` of each raise and clear. */
export interface OpsAlertTransitions {
  raised: string[];
  cleared: string[];
}

const keyOf = (kind: string, subject: string) => `${kind}/${subject}`;

/**
 * The five-minute cron's alert pass: evaluates each condition at `now` and sends only transitions — an
 * `alert.raise` for a condition with no open alert, an `alert.clear` for an open alert whose
 * condition ended. The jobs are idempotent too (one open row per kind + subject, notified once),
 * so a raise still in the queue when the next pass runs changes nothing.
 */
export async function evaluateOpsAlerts(env: Env, db: Db, now = Date.now()): Promise<OpsAlertTransitions> {
  const [errorRate, limiter, dead, stuck, open] = await Promise.all([
    youtubeErrorRate(env, now),
    rateLimiterFailing(env, now),
    recentDeadLetters(db, now),
    stuckTests(db, now),
    db.$primary
      .select({ kind: alerts.kind, subject: alerts.subject })
      .from(alerts)
      .where(and(isNull(alerts.clearedAt), inArray(alerts.kind, Object.values(OPS_ALERT_KINDS)))),
  ]);
  const firing: Firing[] = [...errorRate, ...limiter, ...dead, ...stuck];
  const firingKeys = new Set(firing.map((f) => keyOf(f.kind, f.subject)));
  const openKeys = new Set(open.map((a) => keyOf(a.kind, a.subject)));
  // Past the limit some stuck tests were not looked at: their alerts stay open until a later pass.
  const stuckComplete = stuck.length < STUCK_LIMIT;

  const jobs: JobMessage[] = [];
  for (const f of firing) {
    if (!openKeys.has(keyOf(f.kind, f.subject))) jobs.push({ type: "alert.raise", ...f });
  }
  for (const a of open) {
    if (firingKeys.has(keyOf(a.kind, a.subject))) continue;
    if (a.kind === OPS_ALERT_KINDS.stuckTest && !stuckComplete) continue;
    jobs.push({ type: "alert.clear", kind: a.kind, subject: a.subject });
  }
  await enqueueJobs(env, jobs);
  return {
    raised: jobs.flatMap((j) => (j.type === "alert.raise" ? [keyOf(j.kind, j.subject)] : [])),
    cleared: jobs.flatMap((j) => (j.type === "alert.clear" ? [keyOf(j.kind, j.subject)] : [])),
  };
}
