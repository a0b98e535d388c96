import { DurableObject } from "cloudflare:workers";
import type { JobMessage } from "../../worker/jobs/messages";
import { createLogger, type Logger } from "../../worker/logging/logger";
import {
  dailyLimitSchema,
  isGoogleCredentialRef,
  quotaProjectConfigSchema,
  readQuotaConfig,
} from "../../worker/quota/config";
import { PacificClock, type PacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
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
} from "../../worker/quota/types";
import { LedgerAlerts } from "./alerts";
import { headroom } from "./bands";
import { JobOutbox } from "./outbox";
import {
  bestCandidate,
  checkPinArguments,
  checkRequest,
  checkSettlement,
  denialFor,
  isPlan,
  isPriority,
  MAX_BATCH,
  PRIORITIES,
  type ProjectRecord,
  type ProjectState,
  projectForNewUser,
  projectState,
  RETRY_CONFIG_MS,
} from "./rules";
import { LedgerStore } from "./store";

/** Days of usage, counters and alert marks kept for status and forensics. */
const KEEP_DAYS = 8;

/**
 * The central ledger of YouTube API quota (`idFromName("global")`): every call that costs units is
 * granted here first. See docs/quota-ledger.md.
 *
 * Every mutating method is synchronous over SQLite inside `transactionSync`: no `await` separates
 * a check from its write, so no interleaving of calls can grant beyond a limit, and the state is
 * in storage before the answer leaves. Methods take an optional `now` (ms) for tests; an injected
 * clock never arms the alarm, which runs on the wall clock.
 */
export class QuotaLedger extends DurableObject<Env> {
  private readonly store: LedgerStore;
  private readonly outbox: JobOutbox;
  private readonly alerts: LedgerAlerts;
  private readonly log: Logger = createLogger({ object: "QuotaLedger" });
  private readonly clock = new PacificClock();
  private readonly policy: QuotaPolicy;
  private readonly configured: QuotaProjectConfig[];
  private projects = new Map<string, ProjectRecord>();
  /** The latest Pacific day this object has rolled over to (mirrors meta.day). */
  private rolledDay: string | undefined;
  /** Earliest `expires_at` of an open grant; lets most calls skip the expiry query. */
  private nextExpiry: number | null = null;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    this.outbox = new JobOutbox(ctx.storage.sql, env, this.log, (at, retryAt) => this.arm(at, retryAt));
    this.alerts = new LedgerAlerts(this.store, this.outbox);
    const config = readQuotaConfig(env);
    this.policy = config.policy;
    this.configured = config.projects;
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.loadProjects();
      this.rolledDay = this.store.rolledDay();
      this.nextExpiry = this.store.nextExpiry();
      this.outbox.load();
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
      const pin = this.store.pin(userId);
      const pinned = pin ? this.projects.get(pin.project_id) : undefined;
      if (pin && pinned) {
        if (plan !== undefined && pin.plan !== plan) this.store.setPinPlan(userId, plan);
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

  /** Per project used/limit/reserved/exhaustion, grants and denials by priority today, the next reset. */
  status(now?: number): QuotaStatus {
    return this.mutate(now, (at, day) => {
      const pins = this.store.pinCounts();
      const priorities = Object.fromEntries(
        PRIORITIES.map((p) => [p, { grants: 0, grantedUnits: 0, denials: 0, deniedUnits: 0 }]),
      ) as Record<QuotaPriority, QuotaBandStatus>;
      const denialsByReason: Partial<Record<QuotaDenialReason, number>> = {};
      for (const row of this.store.bandStats(day.key)) {
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
        openGrants: this.store.openGrantCount(),
        pendingJobs: this.outbox.countUnsent(),
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
      this.store.putProject(project, at);
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
      // wait for a deploy of QUOTA_PROJECTS. A stored project's other fields are the ones held
      // in `projects` (reloaded after every write), so writing them back changes only the limit.
      this.store.putProject({ ...project, dailyLimit: limit }, at);
      this.loadProjects();
      this.checkAlerts(project.id, day);
      return this.projectStatus(project.id, day.key, at);
    });
  }

  /** The alert jobs recorded since `afterSeq` (sent or not), oldest first: for tests and forensics. */
  jobs(afterSeq = 0): { seq: number; job: JobMessage; sent: boolean }[] {
    return this.outbox.after(afterSeq);
  }

  /**
   * Rolls the day over (clearing yesterday's alerts), expires overdue grants and sends pending
   * jobs. The alarm runs it; calls do the first two lazily anyway.
   */
  async housekeep(now?: number): Promise<void> {
    // Housekeeping trusts storage over the in-memory shortcut.
    this.nextExpiry = this.store.nextExpiry();
    this.mutate(now, () => undefined);
    await this.outbox.flush(now ?? Date.now());
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
    if (this.outbox.due()) this.ctx.waitUntil(this.outbox.flush(at));
    if (now === undefined) this.arm(at);
    return result;
  }

  // ————— reserve and settle —————

  private reserveOne(request: QuotaRequest, at: number, day: PacificDay): QuotaGrant | QuotaDenial {
    const { units, priority } = request;
    const deny = (reason: QuotaDenialReason, retryAt: number): QuotaDenial => {
      this.store.count(day.key, priority, reason, units);
      return { granted: false, reason, retryAt };
    };

    if (request.userId !== undefined) {
      const cap = this.policy.userCaps[this.planOf(request)];
      if (this.store.userUnits(request.userId, day.key) + units > cap) return deny("user_cap", day.endsAt);
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

    const { best, keyMissing } = bestCandidate(candidates, units, priority, this.policy, (p) =>
      this.apiKey(p),
    );
    if (!best) {
      if (keyMissing) {
        this.log.error("quota.api_key_missing", { priority });
        return deny("misconfigured", at + RETRY_CONFIG_MS);
      }
      const denial = denialFor(candidates, request, this.policy, at, day.endsAt);
      if (denial.reason === "all_exhausted")
        this.alerts.checkAllExhausted(day, this.projectStates(day.key, day.startsAt));
      return deny(denial.reason, denial.retryAt);
    }

    const { state, apiKey } = best;
    const grantId = crypto.randomUUID();
    const expiresAt = at + this.policy.grantTtlMs;
    this.store.addGrant(
      {
        id: grantId,
        project_id: state.project.id,
        day: day.key,
        units,
        priority,
        user_id: request.userId ?? null,
        expires_at: expiresAt,
      },
      at,
    );
    if (this.nextExpiry === null || expiresAt < this.nextExpiry) this.nextExpiry = expiresAt;
    this.store.addUsage(state.project.id, day.key, 0, units);
    if (request.userId !== undefined) this.store.addUserUnits(request.userId, day.key, units);
    this.store.count(day.key, priority, "granted", units);
    this.checkAlerts(state.project.id, day, { ...state, reserved: state.reserved + units });
    return { granted: true, grantId, project: state.project.id, apiKey, expiresAt };
  }

  private settleOne(grantId: string, settlement: QuotaSettlement, day: PacificDay): void {
    const grant = this.store.grant(grantId);
    if (!grant) return;
    const cost = settlement.outcome === "ok" ? settlement.units : Math.max(1, settlement.units);
    this.store.deleteGrant(grant.id);
    this.store.addUsage(grant.project_id, grant.day, cost, -grant.units);
    if (grant.user_id !== null) this.store.addUserUnits(grant.user_id, grant.day, cost - grant.units);
    if (settlement.outcome === "quotaExceeded" && this.projects.has(grant.project_id)) {
      // Whatever our count says, YouTube has the last word for today: nothing more goes to this
      // project until midnight Pacific.
      this.store.markExhausted(grant.project_id, day.key, day.endsAt);
      this.checkAlerts(grant.project_id, day);
    }
  }

  /** The project a new user is pinned to (see `projectForNewUser`). */
  private chooseProject(day: PacificDay, at: number): ProjectRecord {
    const project = projectForNewUser(this.projectStates(day.key, at), this.store.pinCounts());
    if (!project)
      throw new Error("No quota project is configured: set QUOTA_PROJECTS or add one through the admin API");
    return project;
  }

  /** Pins `userId` to `project` (keeping the pin time when the project is unchanged). */
  private writePin(
    userId: string,
    project: { id: string; clientId: string; clientSecretRef: string },
    plan: QuotaPlan | undefined,
    at: number,
  ): QuotaAssignment {
    const before = this.store.pin(userId);
    this.store.writePin(userId, project.id, plan, at);
    return {
      userId,
      project: project.id,
      clientId: project.clientId,
      clientSecretRef: project.clientSecretRef,
      assigned: before?.project_id !== project.id,
    };
  }

  private planOf(request: QuotaRequest): QuotaPlan {
    if (request.plan) return request.plan;
    if (request.userId === undefined) return "free";
    const pinned = this.store.pin(request.userId)?.plan;
    return isPlan(pinned) ? pinned : "free";
  }

  /**
   * The project's API key from the Worker's secrets: read per grant, never stored or logged, and
   * only under a Google credential's name (a project stored earlier cannot name another secret).
   */
  private apiKey(project: QuotaProjectConfig): string | undefined {
    if (!isGoogleCredentialRef("apiKey", project.apiKeyRef)) return undefined;
    const value: unknown = Reflect.get(this.env, project.apiKeyRef);
    return typeof value === "string" && value.length > 0 ? value : undefined;
  }

  // ————— expiry, the day's rollover, alerts, the alarm —————

  private expireDue(at: number): void {
    if (this.nextExpiry === null || at < this.nextExpiry) return;
    for (const grant of this.store.grantsExpiredBy(at)) {
      // Never settled: YouTube may well have charged it, so it counts as spent in full.
      this.store.deleteGrant(grant.id);
      this.store.addUsage(grant.project_id, grant.day, grant.units, -grant.units);
      this.store.count(grant.day, grant.priority, "expired", grant.units);
    }
    this.nextExpiry = this.store.nextExpiry();
  }

  private rollover(at: number, day: PacificDay): void {
    if (this.rolledDay !== undefined && this.rolledDay >= day.key) return;
    this.alerts.clearBefore(day, at);
    this.store.pruneDaysBefore(pacificDayKey(day.startsAt - KEEP_DAYS * 86_400_000));
    this.outbox.prune(at);
    this.store.setRolledDay(day.key);
    this.rolledDay = day.key;
  }

  private checkAlerts(projectId: string, day: PacificDay, known?: ProjectState): void {
    const project = this.projects.get(projectId);
    if (!project) return;
    // Any instant of the day reads the day's row alike: exhaustion is stored per day.
    const state = known ?? this.projectState(project, day.key, day.startsAt);
    this.alerts.checkProject(state, day, () => this.projectStates(day.key, day.startsAt));
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

  // ————— projects —————

  private loadProjects(): void {
    const merged = new Map<string, ProjectRecord>();
    for (const project of this.configured) merged.set(project.id, { ...project, source: "config" });
    for (const project of this.store.projects()) merged.set(project.id, { ...project, source: "admin" });
    this.projects = merged;
  }

  private projectState(project: ProjectRecord, dayKey: string, at: number): ProjectState {
    return projectState(project, this.store.usage(project.id, dayKey), at);
  }

  private projectStates(dayKey: string, at: number): ProjectState[] {
    const rows = this.store.usageOfDay(dayKey);
    return [...this.projects.values()].map((project) => projectState(project, rows.get(project.id), at));
  }

  private projectStatus(projectId: string, dayKey: string, at: number): QuotaProjectStatus {
    const project = this.projects.get(projectId);
    if (!project) throw new Error(`unknown project ${projectId}`);
    return this.describe(this.projectState(project, dayKey, at), this.store.pinCounts());
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
}
