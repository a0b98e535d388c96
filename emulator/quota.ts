import { nextPacificMidnight, pacificDay } from "./pacific-time";

/**
 * YouTube's quota, per Google Cloud project and Pacific day (real time: the quota clock does not
 * speed up with the simulation, just as the app's ledger does not).
 */

/**
 * Units per call (YouTube's cost table for the methods the emulator serves). Written out here, not
 * imported from worker/youtube: the emulator stands in for Google, so a mistake in the app's table
 * must disagree with it in tests rather than agree with itself.
 */
export const COSTS = {
  "channels.list": 1,
  "playlistItems.list": 1,
  "videos.list": 1,
  "videos.update": 50,
  "thumbnails.set": 50,
} as const;

/** A Data API method the emulator serves. */
export type DataMethod = keyof typeof COSTS;

/** A registered project (the admin API creates them). */
export type ProjectRow = {
  id: string;
  client_id: string;
  client_secret: string;
  api_key: string;
  daily_limit: number;
  redirect_uris: string;
  /** Overrides the global access-token lifetime for this project's OAuth client. */
  access_token_ttl_seconds: number | null;
};

/** Units spent by a project on the Pacific day of `nowReal`. */
export function unitsUsed(sql: SqlStorage, projectId: string, nowReal: number): number {
  const row = sql
    .exec<{ units: number }>(
      "SELECT units FROM quota_usage WHERE project_id = ? AND day = ?",
      projectId,
      pacificDay(nowReal),
    )
    .toArray()[0];
  return row?.units ?? 0;
}

/** Adds units to a project's day. */
export function charge(sql: SqlStorage, projectId: string, units: number, nowReal: number): void {
  if (units <= 0) return;
  sql.exec(
    `INSERT INTO quota_usage (project_id, day, units) VALUES (?, ?, ?)
     ON CONFLICT (project_id, day) DO UPDATE SET units = units + excluded.units`,
    projectId,
    pacificDay(nowReal),
    units,
  );
}

/** Whether a call of `cost` units still fits in the project's day. */
export function fits(sql: SqlStorage, project: ProjectRow, cost: number, nowReal: number): boolean {
  return unitsUsed(sql, project.id, nowReal) + cost <= project.daily_limit;
}

/** Spends the rest of a project's day (admin fault). */
export function exhaust(sql: SqlStorage, project: ProjectRow, nowReal: number): void {
  charge(sql, project.id, Math.max(0, project.daily_limit - unitsUsed(sql, project.id, nowReal)), nowReal);
}

/** A project's quota day as the admin API reports it. */
export function quotaStatus(sql: SqlStorage, project: ProjectRow, nowReal: number) {
  return {
    project: project.id,
    day: pacificDay(nowReal),
    used: unitsUsed(sql, project.id, nowReal),
    limit: project.daily_limit,
    resetAt: new Date(nextPacificMidnight(nowReal)).toISOString(),
  };
}
