import { evaluateOpsAlerts } from "./alerts/evaluate";
import { openDb } from "./db/client";
import { MetricsBatch } from "./metrics/batch";
import { sendMetrics, withMetrics } from "./metrics/record";
import { quotaLedger } from "./quota/gate";
import { rollupUserStats } from "./rollups/user-stats";
import { rearmLateTests } from "./tests/sweep";

/** The cron expressions of wrangler.toml `[triggers]`, by what they run. */
export const CRON = { frequent: "*/5 * * * *", hourly: "0 * * * *" } as const;

/** Runs the tasks of one cron trigger. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  if (controller.cron === CRON.frequent) {
    // The ledger's own alarm does this too; the cron is the backstop if an alarm was lost.
    await quotaLedger(env).housekeep();
    const { db, close } = openDb(env);
    const metrics = new MetricsBatch();
    try {
      const rearmed = await rearmLateTests(env, db);
      if (rearmed > 0) console.log(JSON.stringify({ level: "warn", task: "sweep.late_tests", rearmed }));
      // After the sweep: a test it re-armed stays "stuck" until its rotator has really moved on.
      const alerts = await withMetrics(metrics, () => evaluateOpsAlerts(env, db, controller.scheduledTime));
      if (alerts.raised.length + alerts.cleared.length > 0)
        console.log(JSON.stringify({ level: "info", task: "alerts.ops", ...alerts }));
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
      console.log(JSON.stringify({ level: "info", task: "rollup.user_stats", users }));
    } finally {
      await close();
    }
  }
}
