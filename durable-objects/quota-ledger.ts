import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../worker/durable/sqlite-migrations";
import type { AlertRaiseJob, JobMessage } from "../worker/jobs/messages";
import { recordJobsEnqueued } from "../worker/metrics/record";
import {
  bandCeiling,
  bandHeadroom,
  headroom,
  type ProjectDay,
  thresholdsReached,
} from "../worker/quota/bands";
import { dailyLimitSchema, quotaProjectConfigSchema, readQuotaConfig } from "../worker/quota/config";
import { LEDGER_MIGRATIONS } from "../worker/quota/ledger-schema";
import { PacificClock, type PacificDay, pacificDayKey } from "../worker/quota/pacific-day";
import type {
  QuotaAssignment,
  QuotaBandStatus,
  QuotaDenial,
  QuotaDenialReason,
  QuotaGrant,
  QuotaGrantSettlement,
  QuotaPlan,
  QuotaPolicy,
  QuotaPriority,
  QuotaProjectChoice,
  QuotaProjectConfig,
  QuotaProjectStatus,
  QuotaRequest,
  QuotaSettlement,
  QuotaStatus,
} from "../worker/quota/types";

/** Largest single request: no YouTube call costs more than a few thousand units. */
const MAX_REQUEST_UNITS = 100_000;
/** Largest herd one `reserveBatch` call answers. */
const MAX_BATCH = 5_000;
/** When a denial may clear by open grants settling for less than they reserved. */
const RETRY_SOON_MS = 30_000;
/** When a denial for configuration (unknown project, missing key) is worth retrying. */
const RETRY_CONFIG_MS = 5 * 60_000;
/** A project with fewer units left than one title change (videos.update) counts as exhausted for the all-exhausted alert. */
const EXHAUSTED_MARGIN = 50;
/** How long an unsent outbox job waits for the alarm to retry its send. */
const OUTBOX_RETRY_MS = 10_000;
/** Days of usage, counters and alert marks kept for status and forensics. */
const KEEP_DAYS = 8;

const PRIORITIES: readonly QuotaPriority[] = ["premium", "standard", "background"];
const PLANS: readonly QuotaPlan[] = ["free", "pro", "authority"];

type ProjectRecord = QuotaProjectConfig & { source: "config" | "admin" };

type UsageRow = { project_id: string; used: number; reserved: number; exhausted_until: number | null };
type GrantRow = {
  id: string;
  project_id: string;
  day: string;
  units: number;
  priority: string;
  user_id: string | null;
  expires_at: number;
};
type ProjectRow = {
  id: string;
  client_id: string;
  client_secret_ref: string;
  api_key_ref: string;
  daily_limit: number;
};

/** A project's day with the numbers the ledger decides on. */
interface ProjectState extends ProjectDay {
  project: ProjectRecord;
  exhaustedUntil: number | null;
}

function isPriority(value: unknown): value is QuotaPriority {
  return typeof value === "string" && (PRIORITIES as readonly string[]).includes(value);
}

function isPlan(value: unknown): value is QuotaPlan {
  return typeof value === "string" && (PLANS as readonly string[]).includes(value);
}

function checkSettlement(settlement: QuotaSettlement): void {
  if (!Number.isInteger(settlement.units) || settlement.units < 0 || settlement.units > MAX_REQUEST_UNITS) {
    throw new RangeError(`units must be an integer from 0 to ${MAX_REQUEST_UNITS}`);
  }
  if (!["ok", "quotaExceeded", "error"].includes(settlement.outcome)) {
    throw new RangeError("outcome must be ok, quotaExceeded or error");
  }
}

function checkRequest(request: QuotaRequest): void {
  if (!Number.isInteger(request.units) || request.units < 1 || request.units > MAX_REQUEST_UNITS) {
    throw new RangeError(`units must be an integer from 1 to ${MAX_REQUEST_UNITS}`);
  }
  if (!isPriority(request.priority)) throw new RangeError("priority must be premium, standard or background");
  if (request.plan !== undefined && !isPlan(request.plan))
    throw new RangeError("plan must be free, pro or authority");
}

/** Refuses malformed pin requests before anything is written. */
function checkPinArguments(userId: unknown, plan: unknown): void {
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 256) {
    throw new RangeError("userId must be a non-empty string");
  }
  if (plan !== undefined && !isPlan(plan)) throw new RangeError("plan must be free, pro or authority");
}

/**
 * The central ledger of YouTube API quota (`idFromName("global")`): every call that costs units is
 * granted here first. See DESIGN §3 and docs/quota-ledger.md.
 *
 * Every mutating method is synchronous over SQLite inside `transactionSync`: no `await` separates
 * a check from its write, so no interleaving of calls can grant beyond a limit, and the state is
 * in storage before the answer leaves. Methods take an optional `now` (ms) for tests; an injected
 * clock never arms the alarm, which runs on the wall clock.
 */
export class QuotaLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly clock = new PacificClock();
  private readonly policy: QuotaPolicy;
  private readonly configured: QuotaProjectConfig[];
  private projects = new Map<string, ProjectRecord>();
  /** The latest Pacific day this object has rolled over to (mirrors meta.day). */
  private rolledDay: string | undefined;
  /** Earliest `expires_at` of an open grant; lets most calls skip the expiry query. */
  private nextExpiry: number | null = null;
  /** Alert marks known to exist, so a project above 80 % does not write on every grant. */
  private readonly raised = new Set<string>();
  private alarmAt: number | null = null;
  private unsentJobs = false;
  private flushing: Promise<void> | undefined;
  /** After a failed send, calls leave the outbox to the alarm until then (no retry storm). */
  private flushAfter = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    const config = readQuotaConfig(env);
    this.policy = config.policy;
    this.configured = config.projects;
    ctx.blockConcurrencyWhile(async () => {
      migrateSqlite(this.sql, LEDGER_MIGRATIONS);
      this.loadProjects();
      this.rolledDay = this.sql
        .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'day'")
        .toArray()[0]?.value;
      this.refreshNextExpiry();
      this.unsentJobs = this.countUnsent() > 0;
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Answers at once: readiness checks and RPC benchmarks call it. */
  ping(): "pong" {
    return "pong";
  }

  /**
   * Units for one YouTube call, or why not and when to retry. Writes (OAuth) must name the user's
   * pinned `project`; reads without one go to the project with the most headroom for the band.
   */
  reserve(request: QuotaRequest, now?: number): QuotaGrant | QuotaDenial {
    checkRequest(request);
    return this.mutate(now, (at, day) => this.reserveOne(request, at, day));
  }

  /** Reserves for a boundary's herd in one call and one transaction; answers per request, in order. */
  reserveBatch(requests: QuotaRequest[], now?: number): (QuotaGrant | QuotaDenial)[] {
    if (!Array.isArray(requests) || requests.length > MAX_BATCH) {
      throw new RangeError(`reserveBatch takes an array of at most ${MAX_BATCH} requests`);
    }
    for (const request of requests) checkRequest(request);
    return this.mutate(now, (at, day) => requests.map((request) => this.reserveOne(request, at, day)));
  }

  /**
   * Records what a granted call really cost. A call YouTube rejected still costs at least 1 unit;
   * `quotaExceeded` marks the project exhausted until its next reset. Settling an unknown, already
   * settled or expired grant does nothing (an expired grant was counted as spent in full).
   */
  settle(grantId: string, settlement: QuotaSettlement, now?: number): void {
    checkSettlement(settlement);
    this.mutate(now, (_at, day) => this.settleOne(String(grantId), settlement, day));
  }

  /** Settles a herd's grants in one call and one transaction (see `settle`). */
  settleBatch(settlements: QuotaGrantSettlement[], now?: number): void {
    if (!Array.isArray(settlements) || settlements.length > MAX_BATCH) {
      throw new RangeError(`settleBatch takes an array of at most ${MAX_BATCH} settlements`);
    }
    for (const settlement of settlements) checkSettlement(settlement);
    this.mutate(now, (_at, day) => {
      for (const settlement of settlements) this.settleOne(String(settlement.grantId), settlement, day);
    });
  }

  /**
   * The project a user's OAuth consent and writes belong to. A returning user keeps their pin; a
   * new one goes to the project with the most headroom per pinned user, so users spread in
   * proportion to each project's quota and today's spend.
   */
  assignProject(userId: string, plan?: QuotaPlan, now?: number): QuotaAssignment {
    checkPinArguments(userId, plan);
    return this.mutate(now, (at, day) => {
      const pin = this.sql
        .exec<{ project_id: string; plan: string | null }>(
          "SELECT project_id, plan FROM pins WHERE user_id = ?",
          userId,
        )
        .toArray()[0];
      const pinned = pin ? this.projects.get(pin.project_id) : undefined;
      if (pin && pinned) {
        if (plan !== undefined && pin.plan !== plan) {
          this.sql.exec("UPDATE pins SET plan = ? WHERE user_id = ?", plan, userId);
        }
        return {
          userId,
          project: pinned.id,
          clientId: pinned.clientId,
          clientSecretRef: pinned.clientSecretRef,
          assigned: false,
        };
      }
      // New, or pinned to a project that no longer exists (its client is gone: consent again).
      return this.writePin(userId, this.chooseProject(day, at), plan, at);
    });
  }

  /**
   * The project a sign-in should use before the user is known (their OAuth consent decides where
   * their writes are charged): the hinted one when it exists (a returning browser), else the one
   * `assignProject` would pick. Pins nothing; `pinProject` does once the user has consented.
   */
  suggestProject(hint?: string, now?: number): QuotaProjectChoice {
    return this.mutate(now, (at, day) => {
      const hinted = typeof hint === "string" ? this.projects.get(hint) : undefined;
      const project = hinted ?? this.chooseProject(day, at);
      return { project: project.id, clientId: project.clientId, clientSecretRef: project.clientSecretRef };
    });
  }

  /**
   * Pins a user to the project whose OAuth client they consented to (a re-consent through another
   * client moves them: their tokens now belong to it), and records their plan for the cap.
   */
  pinProject(userId: string, projectId: string, plan?: QuotaPlan, now?: number): QuotaAssignment {
    checkPinArguments(userId, plan);
    return this.mutate(now, (at) => {
      const project = this.projects.get(projectId);
      if (!project) throw new RangeError(`unknown quota project ${projectId}`);
      return this.writePin(userId, project, plan, at);
    });
  }

  /** Pins `userId` to `project` (keeping the pin time when the project is unchanged). */
  private writePin(
    userId: string,
    project: { id: string; clientId: string; clientSecretRef: string },
    plan: QuotaPlan | undefined,
    at: number,
  ): QuotaAssignment {
    const before = this.sql
      .exec<{ project_id: string }>("SELECT project_id FROM pins WHERE user_id = ?", userId)
      .toArray()[0];
    this.sql.exec(
      `INSERT INTO pins (user_id, project_id, plan, pinned_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET project_id = excluded.project_id, plan = coalesce(excluded.plan, pins.plan),
         pinned_at = CASE WHEN pins.project_id = excluded.project_id THEN pins.pinned_at ELSE excluded.pinned_at END`,
      userId,
      project.id,
      plan ?? null,
      at,
    );
    return {
      userId,
      project: project.id,
      clientId: project.clientId,
      clientSecretRef: project.clientSecretRef,
      assigned: before?.project_id !== project.id,
    };
  }

  /** Per project used/limit/reserved/exhaustion, grants and denials by priority today, the next reset. */
  status(now?: number): QuotaStatus {
    return this.mutate(now, (at, day) => {
      const pins = this.pinCounts();
      const priorities = Object.fromEntries(
        PRIORITIES.map((p) => [p, { grants: 0, grantedUnits: 0, denials: 0, deniedUnits: 0 }]),
      ) as Record<QuotaPriority, QuotaBandStatus>;
      const denialsByReason: Partial<Record<QuotaDenialReason, number>> = {};
      const stats = this.sql
        .exec<{ priority: string; outcome: string; count: number; units: number }>(
          "SELECT priority, outcome, count, units FROM band_stats WHERE day = ?",
          day.key,
        )
        .toArray();
      for (const row of stats) {
        const band = isPriority(row.priority) ? priorities[row.priority] : undefined;
        if (!band || row.outcome === "expired") continue;
        if (row.outcome === "granted") {
          band.grants += row.count;
          band.grantedUnits += row.units;
        } else {
          band.denials += row.count;
          band.deniedUnits += row.units;
          const reason = row.outcome as QuotaDenialReason;
          denialsByReason[reason] = (denialsByReason[reason] ?? 0) + row.count;
        }
      }
      return {
        now: at,
        day: day.key,
        nextResetAt: day.endsAt,
        policy: this.policy,
        projects: this.projectStates(day.key, at).map((state) => this.describe(state, pins)),
        priorities,
        denialsByReason,
        openGrants: this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM grants").one().n,
        pendingJobs: this.countUnsent(),
      };
    });
  }

  /**
   * Adds a project, or replaces one (a configured project of the same id is overridden), at once:
   * no deploy needed. Its API key must already be bound as the secret `apiKeyRef`.
   */
  upsertProject(config: QuotaProjectConfig, now?: number): { project: QuotaProjectStatus; created: boolean } {
    const project = quotaProjectConfigSchema.parse(config);
    return this.mutate(now, (at, day) => {
      const created = !this.projects.has(project.id);
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
      this.loadProjects();
      this.checkAlerts(project.id, day);
      return { project: this.projectStatus(project.id, day.key, at), created };
    });
  }

  /** Changes a project's daily limit (e.g. after Google raised it); `null` for an unknown project. */
  setDailyLimit(projectId: string, dailyLimit: number, now?: number): QuotaProjectStatus | null {
    const limit = dailyLimitSchema.parse(dailyLimit);
    return this.mutate(now, (at, day) => {
      const project = this.projects.get(projectId);
      if (!project) return null;
      // A configured project gets an admin row: the change must outlive the object and not
      // wait for a deploy of QUOTA_PROJECTS.
      this.sql.exec(
        `INSERT INTO projects (id, client_id, client_secret_ref, api_key_ref, daily_limit, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET daily_limit = excluded.daily_limit, updated_at = excluded.updated_at`,
        project.id,
        project.clientId,
        project.clientSecretRef,
        project.apiKeyRef,
        limit,
        at,
      );
      this.loadProjects();
      this.checkAlerts(project.id, day);
      return this.projectStatus(project.id, day.key, at);
    });
  }

  /** The alert jobs recorded since `afterSeq` (sent or not), oldest first: for tests and forensics. */
  jobs(afterSeq = 0): { seq: number; job: JobMessage; sent: boolean }[] {
    return this.sql
      .exec<{ seq: number; job: string; sent_at: number | null }>(
        "SELECT seq, job, sent_at FROM outbox WHERE seq > ? ORDER BY seq",
        afterSeq,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, job: JSON.parse(row.job) as JobMessage, sent: row.sent_at !== null }));
  }

  /**
   * Rolls the day over (clearing yesterday's alerts), expires overdue grants and sends pending
   * jobs. The alarm runs it; calls do the first two lazily anyway.
   */
  async housekeep(now?: number): Promise<void> {
    // Housekeeping trusts storage over the in-memory shortcut.
    this.refreshNextExpiry();
    this.mutate(now, () => undefined);
    await this.flushOutbox(now ?? Date.now());
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    try {
      await this.housekeep();
    } finally {
      this.arm(Date.now());
    }
  }

  // ————— the transaction around every call —————

  private mutate<T>(now: number | undefined, body: (at: number, day: PacificDay) => T): T {
    const at = now ?? Date.now();
    if (!Number.isFinite(at)) throw new RangeError("now must be a finite number of ms");
    const result = this.ctx.storage.transactionSync(() => {
      const day = this.clock.day(at);
      this.rollover(at, day);
      this.expireDue(at);
      return body(at, day);
    });
    if (this.unsentJobs && Date.now() >= this.flushAfter) this.ctx.waitUntil(this.flushOutbox(at));
    if (now === undefined) this.arm(at);
    return result;
  }

  // ————— reserve —————

  private reserveOne(request: QuotaRequest, at: number, day: PacificDay): QuotaGrant | QuotaDenial {
    const { units, priority } = request;
    const deny = (reason: QuotaDenialReason, retryAt: number): QuotaDenial => {
      this.count(day.key, priority, reason, units);
      return { granted: false, reason, retryAt };
    };

    if (request.userId !== undefined) {
      const cap = this.policy.userCaps[this.planOf(request)];
      if (this.userUnits(request.userId, day.key) + units > cap) return deny("user_cap", day.endsAt);
    }

    let candidates: ProjectState[];
    if (request.project !== undefined) {
      const project = this.projects.get(request.project);
      if (!project) return deny("unknown_project", at + RETRY_CONFIG_MS);
      candidates = [this.projectState(project, day.key, at)];
    } else {
      candidates = this.projectStates(day.key, at);
      if (candidates.length === 0) return deny("unknown_project", at + RETRY_CONFIG_MS);
    }

    let best: { state: ProjectState; room: number; apiKey: string } | undefined;
    let keyMissing = false;
    for (const state of candidates) {
      const room = bandHeadroom(state, priority, this.policy);
      if (room < units || (best && room <= best.room)) continue;
      const apiKey = this.apiKey(state.project);
      if (apiKey === undefined) {
        keyMissing = true;
        continue;
      }
      best = { state, room, apiKey };
    }

    if (!best) {
      if (keyMissing) {
        console.log(JSON.stringify({ level: "error", event: "quota.api_key_missing", priority }));
        return deny("misconfigured", at + RETRY_CONFIG_MS);
      }
      // Units reserved by open grants come back when those settle for less: worth a retry soon.
      const fitsLater = candidates.some(
        (s) =>
          !s.exhausted &&
          s.reserved > 0 &&
          s.used + units <= bandCeiling(s.dailyLimit, priority, this.policy),
      );
      const retryAt = fitsLater ? Math.min(at + RETRY_SOON_MS, day.endsAt) : day.endsAt;
      const noRoomAtAll = candidates.every((s) => headroom(s) < units);
      if (request.project !== undefined)
        return deny(noRoomAtAll ? "project_exhausted" : "priority_band", retryAt);
      if (noRoomAtAll) {
        this.checkAllExhausted(day);
        return deny("all_exhausted", retryAt);
      }
      return deny("priority_band", retryAt);
    }

    const { state, apiKey } = best;
    const grantId = crypto.randomUUID();
    const expiresAt = at + this.policy.grantTtlMs;
    this.sql.exec(
      `INSERT INTO grants (id, project_id, day, units, priority, user_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      grantId,
      state.project.id,
      day.key,
      units,
      priority,
      request.userId ?? null,
      at,
      expiresAt,
    );
    if (this.nextExpiry === null || expiresAt < this.nextExpiry) this.nextExpiry = expiresAt;
    this.addUsage(state.project.id, day.key, 0, units);
    if (request.userId !== undefined) this.addUserUnits(request.userId, day.key, units);
    this.count(day.key, priority, "granted", units);
    this.checkAlerts(state.project.id, day, { ...state, reserved: state.reserved + units });
    return { granted: true, grantId, project: state.project.id, apiKey, expiresAt };
  }

  /**
   * The project with the most headroom per pinned user, so users spread in proportion to each
   * project's quota and today's spend; exhausted projects only when all are.
   */
  private chooseProject(day: PacificDay, at: number): ProjectRecord {
    const pins = this.pinCounts();
    let best: { project: ProjectRecord; score: number } | undefined;
    for (const state of this.projectStates(day.key, at)) {
      const perUser = (room: number) => room / ((pins.get(state.project.id) ?? 0) + 1);
      const score = headroom(state) > 0 ? perUser(headroom(state)) : -1 / perUser(state.dailyLimit);
      if (!best || score > best.score) best = { project: state.project, score };
    }
    if (!best)
      throw new Error("No quota project is configured: set QUOTA_PROJECTS or add one through the admin API");
    return best.project;
  }

  private settleOne(grantId: string, settlement: QuotaSettlement, day: PacificDay): void {
    const grant = this.sql.exec<GrantRow>("SELECT * FROM grants WHERE id = ?", grantId).toArray()[0];
    if (!grant) return;
    const cost = settlement.outcome === "ok" ? settlement.units : Math.max(1, settlement.units);
    this.sql.exec("DELETE FROM grants WHERE id = ?", grant.id);
    this.addUsage(grant.project_id, grant.day, cost, -grant.units);
    if (grant.user_id !== null) this.addUserUnits(grant.user_id, grant.day, cost - grant.units);
    if (settlement.outcome === "quotaExceeded" && this.projects.has(grant.project_id)) {
      // Whatever our count says, YouTube has the last word for today: nothing more goes to this
      // project until midnight Pacific.
      this.sql.exec(
        `INSERT INTO usage (project_id, day, exhausted_until) VALUES (?, ?, ?)
         ON CONFLICT (project_id, day) DO UPDATE SET exhausted_until = excluded.exhausted_until`,
        grant.project_id,
        day.key,
        day.endsAt,
      );
      this.checkAlerts(grant.project_id, day);
    }
  }

  private planOf(request: QuotaRequest): QuotaPlan {
    if (request.plan) return request.plan;
    if (request.userId === undefined) return "free";
    const pinned = this.sql
      .exec<{ plan: string | null }>("SELECT plan FROM pins WHERE user_id = ?", request.userId)
      .toArray()[0]?.plan;
    return isPlan(pinned) ? pinned : "free";
  }

  /** The project's API key from the Worker's secrets: read per grant, never stored or logged. */
  private apiKey(project: QuotaProjectConfig): string | undefined {
    const value: unknown = Reflect.get(this.env, project.apiKeyRef);
    return typeof value === "string" && value.length > 0 ? value : undefined;
  }

  // ————— expiry and the day's rollover —————

  private expireDue(at: number): void {
    if (this.nextExpiry === null || at < this.nextExpiry) return;
    const due = this.sql.exec<GrantRow>("SELECT * FROM grants WHERE expires_at <= ?", at).toArray();
    for (const grant of due) {
      // Never settled: YouTube may well have charged it, so it counts as spent in full.
      this.sql.exec("DELETE FROM grants WHERE id = ?", grant.id);
      this.addUsage(grant.project_id, grant.day, grant.units, -grant.units);
      this.count(grant.day, grant.priority, "expired", grant.units);
    }
    this.refreshNextExpiry();
  }

  private rollover(at: number, day: PacificDay): void {
    if (this.rolledDay !== undefined && this.rolledDay >= day.key) return;
    // Yesterday's warnings end with yesterday's quota.
    const open = this.sql
      .exec<{ day: string; kind: string; subject: string }>(
        "SELECT day, kind, subject FROM alert_marks WHERE cleared = 0 AND day < ?",
        day.key,
      )
      .toArray();
    for (const mark of open) {
      this.enqueue({ type: "alert.clear", kind: mark.kind, subject: mark.subject, episode: mark.day }, at);
    }
    this.sql.exec("UPDATE alert_marks SET cleared = 1 WHERE cleared = 0 AND day < ?", day.key);
    const cutoff = pacificDayKey(day.startsAt - KEEP_DAYS * 86_400_000);
    for (const table of ["usage", "user_usage", "band_stats", "alert_marks"]) {
      this.sql.exec(`DELETE FROM ${table} WHERE day < ?`, cutoff);
    }
    this.sql.exec("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", at - 2 * 86_400_000);
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('day', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      day.key,
    );
    this.rolledDay = day.key;
    this.raised.clear();
  }

  // ————— alerts —————

  private checkAlerts(projectId: string, day: PacificDay, known?: ProjectState): void {
    const project = this.projects.get(projectId);
    if (!project) return;
    // Any instant of the day reads the day's row alike: exhaustion is stored per day.
    const state = known ?? this.projectState(project, day.key, day.startsAt);
    for (const threshold of thresholdsReached(state)) {
      const percent = Math.round(threshold.share * 100);
      this.raiseOnce(day, {
        type: "alert.raise",
        kind: threshold.kind,
        subject: projectId,
        severity: threshold.severity,
        message: `YouTube quota project ${projectId} has committed ${percent} % of its day ${day.key}: ${state.used + state.reserved} of ${state.dailyLimit} units${state.exhausted ? " (exhausted)" : ""}.`,
        episode: day.key,
        data: {
          project: projectId,
          day: day.key,
          used: state.used,
          reserved: state.reserved,
          dailyLimit: state.dailyLimit,
          resetAt: day.endsAt,
        },
      });
    }
    if (headroom(state) < EXHAUSTED_MARGIN) this.checkAllExhausted(day);
  }

  private checkAllExhausted(day: PacificDay): void {
    const states = this.projectStates(day.key, day.startsAt);
    if (states.length === 0 || states.some((s) => headroom(s) >= EXHAUSTED_MARGIN)) return;
    this.raiseOnce(day, {
      type: "alert.raise",
      kind: "quota.exhausted",
      subject: "all",
      severity: "critical",
      message: `Every YouTube quota project is exhausted for ${day.key}; rotations wait for the reset at ${new Date(day.endsAt).toISOString()}.`,
      episode: day.key,
      data: { day: day.key, projects: states.length, resetAt: day.endsAt },
    });
  }

  private raiseOnce(day: PacificDay, job: AlertRaiseJob): void {
    const key = `${day.key}|${job.kind}|${job.subject}`;
    if (this.raised.has(key)) return;
    this.raised.add(key);
    const inserted = this.sql
      .exec(
        `INSERT INTO alert_marks (day, kind, subject, raised_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING kind`,
        day.key,
        job.kind,
        job.subject,
        Date.now(),
      )
      .toArray();
    if (inserted.length > 0) this.enqueue(job, Date.now());
  }

  private enqueue(job: JobMessage, at: number): void {
    this.sql.exec("INSERT INTO outbox (job, created_at) VALUES (?, ?)", JSON.stringify(job), at);
    this.unsentJobs = true;
  }

  private countUnsent(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL").one().n;
  }

  /** Sends unsent outbox jobs in order, one send at a time; on failure they stay for the alarm to retry. */
  private flushOutbox(at: number): Promise<void> {
    // `.finally` runs after the assignment even when there is nothing to send.
    this.flushing ??= this.sendUnsent(at).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async sendUnsent(at: number): Promise<void> {
    try {
      for (;;) {
        const rows = this.sql
          .exec<{ seq: number; job: string }>(
            "SELECT seq, job FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 100",
          )
          .toArray();
        const last = rows.at(-1);
        if (!last) break;
        const jobs = rows.map((row) => JSON.parse(row.job) as JobMessage);
        await this.env.JOBS.sendBatch(jobs.map((body) => ({ body })));
        recordJobsEnqueued(
          this.env,
          jobs.map((job) => job.type),
        );
        this.sql.exec(
          "UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL AND seq <= ?",
          Date.now(),
          last.seq,
        );
      }
      this.unsentJobs = false;
    } catch (err) {
      console.log(JSON.stringify({ level: "warn", event: "quota.outbox_send_failed", error: String(err) }));
      this.flushAfter = Date.now() + OUTBOX_RETRY_MS;
      this.arm(Math.max(at, Date.now()), this.flushAfter);
    }
  }

  /** Arms the alarm for the next thing due: an expiry, the reset, or a retry of unsent jobs. */
  private arm(at: number, retryAt?: number): void {
    let wanted = this.clock.day(at).endsAt;
    if (this.nextExpiry !== null) wanted = Math.min(wanted, this.nextExpiry);
    if (retryAt !== undefined) wanted = Math.min(wanted, retryAt);
    if (this.alarmAt !== null && this.alarmAt <= wanted) return;
    this.alarmAt = wanted;
    void this.ctx.storage.setAlarm(wanted);
  }

  // ————— state reads and writes —————

  private loadProjects(): void {
    const merged = new Map<string, ProjectRecord>();
    for (const project of this.configured) merged.set(project.id, { ...project, source: "config" });
    const rows = this.sql
      .exec<ProjectRow>("SELECT id, client_id, client_secret_ref, api_key_ref, daily_limit FROM projects")
      .toArray();
    for (const row of rows) {
      merged.set(row.id, {
        id: row.id,
        clientId: row.client_id,
        clientSecretRef: row.client_secret_ref,
        apiKeyRef: row.api_key_ref,
        dailyLimit: row.daily_limit,
        source: "admin",
      });
    }
    this.projects = merged;
  }

  private refreshNextExpiry(): void {
    this.nextExpiry = this.sql
      .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM grants")
      .one().at;
  }

  private projectState(project: ProjectRecord, dayKey: string, at: number): ProjectState {
    const row = this.sql
      .exec<UsageRow>(
        "SELECT project_id, used, reserved, exhausted_until FROM usage WHERE project_id = ? AND day = ?",
        project.id,
        dayKey,
      )
      .toArray()[0];
    return this.toState(project, row, at);
  }

  private projectStates(dayKey: string, at: number): ProjectState[] {
    const rows = new Map(
      this.sql
        .exec<UsageRow>("SELECT project_id, used, reserved, exhausted_until FROM usage WHERE day = ?", dayKey)
        .toArray()
        .map((row) => [row.project_id, row]),
    );
    return [...this.projects.values()].map((project) => this.toState(project, rows.get(project.id), at));
  }

  private toState(project: ProjectRecord, row: UsageRow | undefined, at: number): ProjectState {
    const exhaustedUntil = row?.exhausted_until ?? null;
    return {
      project,
      dailyLimit: project.dailyLimit,
      used: row?.used ?? 0,
      reserved: row?.reserved ?? 0,
      exhausted: exhaustedUntil !== null && at < exhaustedUntil,
      exhaustedUntil: exhaustedUntil !== null && at < exhaustedUntil ? exhaustedUntil : null,
    };
  }

  private projectStatus(projectId: string, dayKey: string, at: number): QuotaProjectStatus {
    const project = this.projects.get(projectId);
    if (!project) throw new Error(`unknown project ${projectId}`);
    return this.describe(this.projectState(project, dayKey, at), this.pinCounts());
  }

  private describe(state: ProjectState, pins: Map<string, number>): QuotaProjectStatus {
    const { project } = state;
    return {
      id: project.id,
      clientId: project.clientId,
      clientSecretRef: project.clientSecretRef,
      apiKeyRef: project.apiKeyRef,
      dailyLimit: project.dailyLimit,
      source: project.source,
      used: state.used,
      reserved: state.reserved,
      headroom: headroom(state),
      exhaustedUntil: state.exhaustedUntil,
      pinnedUsers: pins.get(project.id) ?? 0,
    };
  }

  private pinCounts(): Map<string, number> {
    const rows = this.sql
      .exec<{ project_id: string; n: number }>(
        "SELECT project_id, count(*) AS n FROM pins GROUP BY project_id",
      )
      .toArray();
    return new Map(rows.map((row) => [row.project_id, row.n]));
  }

  private addUsage(projectId: string, dayKey: string, usedDelta: number, reservedDelta: number): void {
    this.sql.exec(
      `INSERT INTO usage (project_id, day, used, reserved) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, day) DO UPDATE SET used = used + excluded.used, reserved = reserved + excluded.reserved`,
      projectId,
      dayKey,
      usedDelta,
      reservedDelta,
    );
  }

  private userUnits(userId: string, dayKey: string): number {
    return (
      this.sql
        .exec<{ units: number }>("SELECT units FROM user_usage WHERE user_id = ? AND day = ?", userId, dayKey)
        .toArray()[0]?.units ?? 0
    );
  }

  private addUserUnits(userId: string, dayKey: string, delta: number): void {
    if (delta === 0) return;
    this.sql.exec(
      `INSERT INTO user_usage (user_id, day, units) VALUES (?, ?, ?)
       ON CONFLICT (user_id, day) DO UPDATE SET units = units + excluded.units`,
      userId,
      dayKey,
      delta,
    );
  }

  private count(dayKey: string, priority: string, outcome: string, units: number): void {
    this.sql.exec(
      `INSERT INTO band_stats (day, priority, outcome, count, units) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (day, priority, outcome) DO UPDATE SET count = count + 1, units = units + excluded.units`,
      dayKey,
      priority,
      outcome,
      units,
    );
  }
}
