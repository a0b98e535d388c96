import { openDb } from "./db/client";
import { quotaLedger } from "./quota/gate";
import { rollupUserStats } from "./rollups/user-stats";

/** The cron expressions of wrangler.toml `[triggers]`, by what they run. */
export const CRON = { frequent: "*/5 * * * *", hourly: "0 * * * *" } as const;

/** Runs the tasks of one cron trigger. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  if (controller.cron === CRON.frequent) {
    // The ledger's own alarm does this too; the cron is the backstop if an alarm was lost.
    await quotaLedger(env).housekeep();
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
