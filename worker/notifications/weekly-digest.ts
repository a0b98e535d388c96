import { eq } from "drizzle-orm";
import { notificationPreferences } from "../../schema";
import type { Db } from "../db/client";
import { notify } from "./notify";

const DAY_MS = 86_400_000;

/** The digest goes out on Mondays (UTC day 1) with the hourly cron of this hour (UTC). */
export const DIGEST_DAY_UTC = 1;
export const DIGEST_HOUR_UTC = 9;

/** Whether the hourly cron at `at` (ms) is the one that sends the week's digests. */
export function isDigestHour(at: number): boolean {
  const d = new Date(at);
  return d.getUTCDay() === DIGEST_DAY_UTC && d.getUTCHours() === DIGEST_HOUR_UTC;
}

/** The ISO 8601 week of `at` (UTC): `2026-W19`. Weeks start on Monday; week 1 holds January 4th. */
export function isoWeek(at: number): string {
  const d = new Date(at);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The Thursday of this week decides the year.
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/**
 * Enqueues one digest per creator who turned it on, for the ISO week of `at`. Its key names the
 * week, so a cron that runs twice (or a retried job) still mails each creator once that week.
 */
export async function enqueueWeeklyDigests(
  env: Pick<Env, "JOBS" | "METRICS_RECORDER">,
  db: Db,
  at: number,
): Promise<number> {
  const rows = await db
    .select({ userId: notificationPreferences.userId })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.weeklyDigest, true));
  const week = isoWeek(at);
  await notify(env, ...rows.map(({ userId }) => ({ kind: "weekly_digest" as const, userId, week })));
  return rows.length;
}
