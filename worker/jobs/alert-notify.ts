import { eq } from "drizzle-orm";
import { alerts } from "../../schema";
import type { Db } from "../db/client";

/**
 * Sends an alert to the operator's webhook once. Idempotent: a redelivered message finds the
 * alert already notified and does nothing. Throws (so the job is retried) when the webhook fails.
 */
export async function notifyAlert(db: Db, env: Env, alertId: number): Promise<void> {
  const [alert] = await db.$primary.select().from(alerts).where(eq(alerts.id, alertId));
  if (!alert || alert.notifiedAt) return;
  if (env.ALERT_WEBHOOK_URL) {
    const response = await fetch(env.ALERT_WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        kind: alert.kind,
        subject: alert.subject,
        severity: alert.severity,
        message: alert.message,
        raisedAt: alert.raisedAt.toISOString(),
        cleared: alert.clearedAt !== null,
      }),
    });
    if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
  }
  await db.update(alerts).set({ notifiedAt: new Date() }).where(eq(alerts.id, alertId));
}
