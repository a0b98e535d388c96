import { count, desc, isNull } from "drizzle-orm";
import { alerts, deadLetters } from "../../schema";
import type { Db } from "../db/client";

/**
 * What an operator acts on: the open alerts (quota, YouTube errors, dead letters, stuck tests),
 * newest first, and the latest dead letters with their total.
 */
export async function operationsOverview(db: Db) {
  const open = await db
    .select({
      id: alerts.id,
      kind: alerts.kind,
      subject: alerts.subject,
      severity: alerts.severity,
      message: alerts.message,
      raisedAt: alerts.raisedAt,
    })
    .from(alerts)
    .where(isNull(alerts.clearedAt))
    .orderBy(desc(alerts.raisedAt))
    .limit(100);
  const latest = await db
    .select({
      id: deadLetters.id,
      queue: deadLetters.queue,
      jobType: deadLetters.jobType,
      attempts: deadLetters.attempts,
      receivedAt: deadLetters.receivedAt,
    })
    .from(deadLetters)
    .orderBy(desc(deadLetters.receivedAt))
    .limit(20);
  const [total] = await db.select({ n: count() }).from(deadLetters);
  return { alerts: open, deadLetters: { total: total?.n ?? 0, latest } };
}
