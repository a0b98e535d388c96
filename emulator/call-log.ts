/** The call log: every Google call the emulator answered, with the units it cost. */

import type { CallEntry } from "./call-entry";

export type { CallEntry };

/** Entries kept: a long-running dev emulator must not grow without bound. */
const KEEP = 100_000;

/** Appends a call (and now and then drops the oldest beyond KEEP). */
export function logCall(sql: SqlStorage, entry: Omit<CallEntry, "id" | "at">, nowReal: number): void {
  sql.exec(
    "INSERT INTO calls (at_real, method, project_id, units, status, reason, video_id, auth, sub) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    nowReal,
    entry.method,
    entry.project,
    entry.units,
    entry.status,
    entry.reason,
    entry.videoId,
    entry.auth,
    entry.sub,
  );
  const id = sql.exec<{ id: number }>("SELECT last_insert_rowid() AS id").one().id;
  if (id % 1000 === 0) sql.exec("DELETE FROM calls WHERE id <= ?", id - KEEP);
}

/** Calls after id `since`, optionally of one project and/or method, oldest first. */
export function listCalls(
  sql: SqlStorage,
  filter: { since?: number; project?: string; method?: string; limit?: number },
): CallEntry[] {
  const rows = sql
    .exec<{
      id: number;
      at_real: number;
      method: string;
      project_id: string | null;
      units: number;
      status: number;
      reason: string | null;
      video_id: string | null;
      auth: string;
      sub: string | null;
    }>(
      `SELECT * FROM calls WHERE id > ? AND (? IS NULL OR project_id = ?) AND (? IS NULL OR method = ?)
       ORDER BY id LIMIT ?`,
      filter.since ?? 0,
      filter.project ?? null,
      filter.project ?? null,
      filter.method ?? null,
      filter.method ?? null,
      filter.limit ?? 1000,
    )
    .toArray();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at_real).toISOString(),
    method: r.method,
    project: r.project_id,
    units: r.units,
    status: r.status,
    reason: r.reason,
    videoId: r.video_id,
    auth: r.auth as CallEntry["auth"],
    sub: r.sub,
  }));
}
