/** The call log: every Google call the emulator answered, with the units it cost. */

import type { CallEntry } from "./call-entry";
import type { Reply } from "./reply";

export type { CallEntry };

/** Entries kept: a long-running dev emulator must not grow without bound. */
const KEEP = 100_000;

/**
 * The reason of an error reply: `error.errors[0].reason` of the Data and Analytics APIs, else
 * `error.status` of the newer envelope (the Reporting API's NOT_FOUND, ALREADY_EXISTS, …).
 */
function errorReason(reply: Reply): string | null {
  if (reply.status < 400) return null;
  try {
    const { error } = JSON.parse(reply.body) as {
      error?: { errors?: { reason?: string }[]; status?: string };
    };
    return error?.errors?.[0]?.reason ?? error?.status ?? null;
  } catch {
    return null;
  }
}

/**
 * Logs a call with the reply it got (status, and the reason of an error) and hands the reply back;
 * now and then drops the oldest entries beyond KEEP.
 */
export function logCall(
  sql: SqlStorage,
  entry: Omit<CallEntry, "id" | "at" | "status" | "reason">,
  reply: Reply,
  nowReal: number,
): Reply {
  sql.exec(
    "INSERT INTO calls (at_real, method, project_id, units, status, reason, video_id, auth, sub) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    nowReal,
    entry.method,
    entry.project,
    entry.units,
    reply.status,
    errorReason(reply),
    entry.videoId,
    entry.auth,
    entry.sub,
  );
  const id = sql.exec<{ id: number }>("SELECT last_insert_rowid() AS id").one().id;
  if (id % 1000 === 0) sql.exec("DELETE FROM calls WHERE id <= ?", id - KEEP);
  return reply;
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
