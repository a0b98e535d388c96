import { migrateSqlite } from "../../worker/durable/sqlite-migrations";
import type { QuotaPlan, QuotaProjectConfig } from "../../worker/quota/types";
import { LEDGER_MIGRATIONS } from "./schema";

/** A project's stored day: units used and reserved, and its exhaustion (null: none). */
export type UsageRow = { project_id: string; used: number; reserved: number; exhausted_until: number | null };

/** An open grant. */
export type GrantRow = {
  id: string;
  project_id: string;
  day: string;
  units: number;
  priority: string;
  user_id: string | null;
  expires_at: number;
};

/** A project added or changed through the admin API. */
export type StoredProject = QuotaProjectConfig;

type ProjectRow = {
  id: string;
  client_id: string;
  client_secret_ref: string;
  api_key_ref: string;
  daily_limit: number;
};

/** The day-keyed tables a rollover trims. */
const DAY_TABLES = ["usage", "user_usage", "band_stats", "alert_marks"] as const;

/**
 * The QuotaLedger's SQLite storage: projects, usage per project and per user, open grants, pins,
 * band counters, alert marks and the day last rolled over to. Synchronous throughout, so the
 * ledger can check and write inside one `transactionSync` with no `await` between.
 */
export class LedgerStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Brings the schema up to date (in the constructor's `blockConcurrencyWhile`). */
  migrate(): void {
    migrateSqlite(this.sql, LEDGER_MIGRATIONS);
  }

  // ---- projects and meta ---------------------------------------------------------------------

  /** Projects stored through the admin API. */
  projects(): StoredProject[] {
    return this.sql
      .exec<ProjectRow>("SELECT id, client_id, client_secret_ref, api_key_ref, daily_limit FROM projects")
      .toArray()
      .map((row) => ({
        id: row.id,
        clientId: row.client_id,
        clientSecretRef: row.client_secret_ref,
        apiKeyRef: row.api_key_ref,
        dailyLimit: row.daily_limit,
      }));
  }

  /** Adds or replaces a stored project. */
  putProject(project: StoredProject, at: number): void {
    this.sql.exec(
      `INSERT INTO projects (id, client_id, client_secret_ref, api_key_ref, daily_limit, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, client_secret_ref = excluded.client_secret_ref,
         api_key_ref = excluded.api_key_ref, daily_limit = excluded.daily_limit, updated_at = excluded.updated_at`,
      project.id,
      project.clientId,
      project.clientSecretRef,
      project.apiKeyRef,
      project.dailyLimit,
      at,
    );
  }

  /** The latest Pacific day the ledger rolled over to. */
  rolledDay(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'day'").toArray()[0]?.value;
  }

  setRolledDay(dayKey: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('day', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      dayKey,
    );
  }

  /** Deletes day-keyed rows older than `cutoff` (a day key). */
  pruneDaysBefore(cutoff: string): void {
    for (const table of DAY_TABLES) this.sql.exec(`DELETE FROM ${table} WHERE day < ?`, cutoff);
  }

  // ---- grants --------------------------------------------------------------------------------

  grant(id: string): GrantRow | undefined {
    return this.sql.exec<GrantRow>("SELECT * FROM grants WHERE id = ?", id).toArray()[0];
  }

  /** Open grants expiring at or before `at`. */
  grantsExpiredBy(at: number): GrantRow[] {
    return this.sql.exec<GrantRow>("SELECT * FROM grants WHERE expires_at <= ?", at).toArray();
  }

  /** The earliest expiry of an open grant. */
  nextExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM grants").one().at;
  }

  openGrantCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM grants").one().n;
  }

  addGrant(grant: GrantRow, createdAt: number): void {
    this.sql.exec(
      `INSERT INTO grants (id, project_id, day, units, priority, user_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      grant.id,
      grant.project_id,
      grant.day,
      grant.units,
      grant.priority,
      grant.user_id,
      createdAt,
      grant.expires_at,
    );
  }

  deleteGrant(id: string): void {
    this.sql.exec("DELETE FROM grants WHERE id = ?", id);
  }

  // ---- usage ---------------------------------------------------------------------------------

  usage(projectId: string, dayKey: string): UsageRow | undefined {
    return this.sql
      .exec<UsageRow>(
        "SELECT project_id, used, reserved, exhausted_until FROM usage WHERE project_id = ? AND day = ?",
        projectId,
        dayKey,
      )
      .toArray()[0];
  }

  /** Every project's usage row of the day, by project id. */
  usageOfDay(dayKey: string): Map<string, UsageRow> {
    const rows = this.sql
      .exec<UsageRow>("SELECT project_id, used, reserved, exhausted_until FROM usage WHERE day = ?", dayKey)
      .toArray();
    return new Map(rows.map((row) => [row.project_id, row]));
  }

  addUsage(projectId: string, dayKey: string, usedDelta: number, reservedDelta: number): void {
    this.sql.exec(
      `INSERT INTO usage (project_id, day, used, reserved) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, day) DO UPDATE SET used = used + excluded.used, reserved = reserved + excluded.reserved`,
      projectId,
      dayKey,
      usedDelta,
      reservedDelta,
    );
  }

  markExhausted(projectId: string, dayKey: string, until: number): void {
    this.sql.exec(
      `INSERT INTO usage (project_id, day, exhausted_until) VALUES (?, ?, ?)
       ON CONFLICT (project_id, day) DO UPDATE SET exhausted_until = excluded.exhausted_until`,
      projectId,
      dayKey,
      until,
    );
  }

  userUnits(userId: string, dayKey: string): number {
    return (
      this.sql
        .exec<{ units: number }>("SELECT units FROM user_usage WHERE user_id = ? AND day = ?", userId, dayKey)
        .toArray()[0]?.units ?? 0
    );
  }

  addUserUnits(userId: string, dayKey: string, delta: number): void {
    if (delta === 0) return;
    this.sql.exec(
      `INSERT INTO user_usage (user_id, day, units) VALUES (?, ?, ?)
       ON CONFLICT (user_id, day) DO UPDATE SET units = units + excluded.units`,
      userId,
      dayKey,
      delta,
    );
  }

  // ---- pins ----------------------------------------------------------------------------------

  pin(userId: string): { project_id: string; plan: string | null } | undefined {
    return this.sql
      .exec<{ project_id: string; plan: string | null }>(
        "SELECT project_id, plan FROM pins WHERE user_id = ?",
        userId,
      )
      .toArray()[0];
  }

  setPinPlan(userId: string, plan: QuotaPlan): void {
    this.sql.exec("UPDATE pins SET plan = ? WHERE user_id = ?", plan, userId);
  }

  /** Pins `userId` to `projectId` (keeping the pin time when the project is unchanged, and the plan when none is given). */
  writePin(userId: string, projectId: string, plan: QuotaPlan | undefined, at: number): void {
    this.sql.exec(
      `INSERT INTO pins (user_id, project_id, plan, pinned_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET project_id = excluded.project_id, plan = coalesce(excluded.plan, pins.plan),
         pinned_at = CASE WHEN pins.project_id = excluded.project_id THEN pins.pinned_at ELSE excluded.pinned_at END`,
      userId,
      projectId,
      plan ?? null,
      at,
    );
  }

  /** Pinned users per project. */
  pinCounts(): Map<string, number> {
    const rows = this.sql
      .exec<{ project_id: string; n: number }>(
        "SELECT project_id, count(*) AS n FROM pins GROUP BY project_id",
      )
      .toArray();
    return new Map(rows.map((row) => [row.project_id, row.n]));
  }

  // ---- band counters and alert marks ---------------------------------------------------------

  /** Counts one grant, expiry or denial (by reason) of `priority` on the day. */
  count(dayKey: string, priority: string, outcome: string, units: number): void {
    this.sql.exec(
      `INSERT INTO band_stats (day, priority, outcome, count, units) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (day, priority, outcome) DO UPDATE SET count = count + 1, units = units + excluded.units`,
      dayKey,
      priority,
      outcome,
      units,
    );
  }

  bandStats(dayKey: string): { priority: string; outcome: string; count: number; units: number }[] {
    return this.sql
      .exec<{ priority: string; outcome: string; count: number; units: number }>(
        "SELECT priority, outcome, count, units FROM band_stats WHERE day = ?",
        dayKey,
      )
      .toArray();
  }

  /** Records an alert as raised; false when it already was (once per day, kind and subject). */
  markAlert(dayKey: string, kind: string, subject: string, at: number): boolean {
    const inserted = this.sql
      .exec(
        `INSERT INTO alert_marks (day, kind, subject, raised_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING kind`,
        dayKey,
        kind,
        subject,
        at,
      )
      .toArray();
    return inserted.length > 0;
  }

  /** Alerts of days before `dayKey` not yet cleared; marks them cleared. */
  clearAlertsBefore(dayKey: string): { day: string; kind: string; subject: string }[] {
    const open = this.sql
      .exec<{ day: string; kind: string; subject: string }>(
        "SELECT day, kind, subject FROM alert_marks WHERE cleared = 0 AND day < ?",
        dayKey,
      )
      .toArray();
    this.sql.exec("UPDATE alert_marks SET cleared = 1 WHERE cleared = 0 AND day < ?", dayKey);
    return open;
  }
}
