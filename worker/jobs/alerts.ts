import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { alerts } from "../../schema";
import type { Db } from "../db/client";
import { enqueueJob } from "../queue/send";
import type { AlertClearJob, AlertRaiseJob, JobMessage } from "./messages";

function openAlert(kind: string, subject: string): SQL | undefined {
  return and(eq(alerts.kind, kind), eq(alerts.subject, subject), isNull(alerts.clearedAt));
}

/** The episode an open alert was raised in ("" when none was given). */
function episodeOf(data: Record<string, unknown>): string {
  return typeof data.episode === "string" ? data.episode : "";
}

/**
 * Opens the alert of `job` once per episode: the partial unique index on open (kind, subject)
 * turns a redelivered job into a no-op. An open alert of an older episode that was never cleared
 * (its clear was lost or is still queued) is closed first, so today's warning is not swallowed by
 * yesterday's. Then the alert is notified through `alert.notify` unless it already was.
 */
export async function raiseAlert(db: Db, env: Env, job: AlertRaiseJob): Promise<void> {
  const episode = job.episode ?? "";
  const values = {
    kind: job.kind,
    subject: job.subject,
    severity: job.severity,
    message: job.message,
    data: { ...job.data, ...(job.episode ? { episode: job.episode } : {}) },
  };
  let [row] = await db
    .insert(alerts)
    .values(values)
    .onConflictDoNothing()
    .returning({ id: alerts.id, notifiedAt: alerts.notifiedAt });
  if (!row) {
    const [open] = await db.$primary.select().from(alerts).where(openAlert(job.kind, job.subject));
    // Cleared between our insert and this read: throw, and the retry inserts a fresh episode.
    if (!open) throw new Error(`alert ${job.kind}/${job.subject} conflicted but is not open`);
    if (episodeOf(open.data) < episode) {
      await db.update(alerts).set({ clearedAt: new Date() }).where(eq(alerts.id, open.id));
      [row] = await db
        .insert(alerts)
        .values(values)
        .onConflictDoNothing()
        .returning({ id: alerts.id, notifiedAt: alerts.notifiedAt });
      if (!row) throw new Error(`alert ${job.kind}/${job.subject} was raised concurrently`);
    } else {
      row = { id: open.id, notifiedAt: open.notifiedAt };
    }
  }
  if (!row.notifiedAt) {
    const notify: JobMessage = { type: "alert.notify", alertId: row.id };
    await enqueueJob(env, notify);
  }
}

/** Closes the open alert of kind + subject (of `job.episode` or an earlier one); nothing open is fine. */
export async function clearAlert(db: Db, job: AlertClearJob): Promise<void> {
  const episodeFilter = job.episode
    ? sql`coalesce(${alerts.data}->>'episode', '') <= ${job.episode}`
    : undefined;
  await db
    .update(alerts)
    .set({ clearedAt: new Date() })
    .where(and(openAlert(job.kind, job.subject), episodeFilter));
}
