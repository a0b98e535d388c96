/**
 * Injected faults, per API method and optionally per project (so concurrent tests that use their
 * own project never see each other's faults). A fault can fail the next N calls, fail a share of
 * calls at random, and/or delay answers (a delay longer than the client's timeout is a timeout).
 */

/** A fault as the admin API sets it. */
export interface FaultInput {
  /** "videos.list", "oauth.token", … or "*" for every method. */
  method: string;
  /** Only calls charged to this project; all projects when absent. */
  project?: string;
  errorRate?: number;
  failNext?: number;
  /** Status of injected errors: 5xx, 429 rateLimitExceeded, or 403 quotaExceeded. */
  status?: number;
  latencyMs?: number;
}

/** What to do to one call. */
export interface FaultEffect {
  failStatus?: number;
  delayMs: number;
}

type FaultRow = {
  method: string;
  project_id: string;
  error_rate: number;
  status: number;
  fail_next: number;
  latency_ms: number;
};

/** Sets (replaces) a fault. */
export function setFault(sql: SqlStorage, f: FaultInput): void {
  sql.exec(
    `INSERT INTO faults (method, project_id, error_rate, status, fail_next, latency_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (method, project_id) DO UPDATE SET error_rate = excluded.error_rate, status = excluded.status,
       fail_next = excluded.fail_next, latency_ms = excluded.latency_ms`,
    f.method,
    f.project ?? "*",
    f.errorRate ?? 0,
    f.status ?? 503,
    f.failNext ?? 0,
    f.latencyMs ?? 0,
  );
}

/** Removes faults: all, or those of one project. */
export function clearFaults(sql: SqlStorage, project?: string): void {
  if (project) sql.exec("DELETE FROM faults WHERE project_id = ?", project);
  else sql.exec("DELETE FROM faults");
}

/** Decides the fault effect of a call, consuming one of a `failNext` budget. */
export function faultFor(sql: SqlStorage, method: string, project: string | undefined): FaultEffect {
  const rows = sql
    .exec<FaultRow>(
      "SELECT * FROM faults WHERE method IN (?, '*') AND project_id IN (?, '*') ORDER BY project_id = '*', method = '*'",
      method,
      project ?? "*",
    )
    .toArray();
  const effect: FaultEffect = { delayMs: 0 };
  for (const row of rows) {
    effect.delayMs = Math.max(effect.delayMs, row.latency_ms);
    if (effect.failStatus) continue;
    if (row.fail_next > 0) {
      sql.exec(
        "UPDATE faults SET fail_next = fail_next - 1 WHERE method = ? AND project_id = ?",
        row.method,
        row.project_id,
      );
      effect.failStatus = row.status;
    } else if (row.error_rate > 0 && Math.random() < row.error_rate) {
      effect.failStatus = row.status;
    }
  }
  return effect;
}
