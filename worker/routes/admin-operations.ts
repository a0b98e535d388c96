import { count, desc, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { alerts, deadLetters } from "../../schema";
import type { AppEnv } from "../context";

/**
 * What an operator acts on, under `/api/admin/operations` (behind `adminAuth`): the open alerts
 * (quota, YouTube errors, dead letters, stuck tests) and the latest dead letters with their total.
 */
export const adminOperationsRoutes = new Hono<AppEnv>().get("/operations", async (c) => {
  const db = c.var.db();
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
  return c.json({ alerts: open, deadLetters: { total: total?.n ?? 0, latest } });
});
