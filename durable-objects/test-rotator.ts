import { DurableObject } from "cloudflare:workers";
import { finishedTestStatuses, type TestStatus } from "../schema/test-statuses";
import { plans } from "../worker/auth/plans";
import { decryptSecret } from "../worker/auth/token-crypto";
import { openDb } from "../worker/db/client";
import { migrateSqlite } from "../worker/durable/sqlite-migrations";
import { recordJobsEnqueued, recordRotation } from "../worker/metrics/record";
import { nextPacificReset, pacificDay, pacificDayKey } from "../worker/quota/pacific-day";
import type { Analysis } from "../worker/stats/analyze";
import { createSchedule, nextBoundary } from "../worker/stats/schedule";
import { analyzeTest, type DailyRecord, dailySlots } from "../worker/title-tests/analysis";
import {
  controlFrom,
  type RotatorAnswer,
  type RotatorControl,
  type RotatorView,
} from "../worker/title-tests/rotator";
import {
  copyToRecord,
  type DailyRow,
  loadOwner,
  loadTestDefinition,
  type OutboxEvent,
  type Owner,
  type SlotRow,
  type TestRecord,
} from "../worker/title-tests/rotator-records";
import { markNeedsReauth } from "../worker/users/youtube-user";
import { YouTubeError, type YouTubeErrorKind } from "../worker/youtube/errors";
import { youtubeClient } from "../worker/youtube/from-env";
import { DEFAULT_RETRY } from "../worker/youtube/retry";
import type { VideoSnippet } from "../worker/youtube/types";
import { type PolledVideo, videoPoller } from "./video-poller";

const MIGRATIONS = [
  `CREATE TABLE journal (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     step TEXT NOT NULL,
     data TEXT NOT NULL DEFAULT '{}'
   )`,
  `CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
   CREATE TABLE slots (
     slot_index INTEGER PRIMARY KEY, variant INTEGER NOT NULL, block INTEGER NOT NULL,
     started_at INTEGER NOT NULL, ended_at INTEGER, views_start INTEGER NOT NULL, views_end INTEGER,
     likes INTEGER, comments INTEGER, copied INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE faults (point TEXT PRIMARY KEY)`,
  `CREATE TABLE days (
     day TEXT PRIMARY KEY, views INTEGER NOT NULL, minutes REAL NOT NULL, impressions INTEGER NOT NULL,
     ctr REAL NOT NULL, copied INTEGER NOT NULL DEFAULT 0
   )`,
];

/** One entry of the rotator's step journal. */
export type JournalEntry = { seq: number; at: number; step: string; data: string };

/** The points between steps where a test may inject a crash (see `injectCrash`). */
export const crashPoints = [
  "after-poll",
  "after-intent",
  "after-update",
  "after-commit",
  "before-copy",
  "after-copy",
] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** A crash injected by a test: it escapes every handler, as an evicted isolate would. */
class InjectedCrash extends Error {}

/** A title change sent (or about to be) and not yet seen through: the journal's open intent. */
interface Intent {
  /** `open`: the next slot's title; `final`: the title the test ends on. */
  kind: "open" | "final";
  title: string;
  variant: number | null;
}

/** What the object knows of its test, in one JSON row (the slots have their own table). */
interface State {
  testId: string;
  userId: string;
  videoId: string;
  titles: string[];
  titleIds: string[];
  originalTitle: string;
  intervalMs: number;
  offsetMs: number;
  metric: "views" | "ctr" | "watch_time";
  endsAt: number;
  autoApply: boolean;
  seed: number;
  status: TestStatus;
  /**
   * The step armed, and when it falls due; the alarm runs it. `settle`: a daily-metric test past
   * its end, waiting for its last days' Analytics rows.
   */
  step: "rotate" | "finish" | "settle" | null;
  dueAt: number | null;
  /** Transient failures in a row (backoff grows with them). */
  attempts: number;
  /** The title we expect live; null right after a resume from drift (the creator asked to go on). */
  expectedTitle: string | null;
  intent: Intent | null;
  /** The owner's plan and grant (ciphertext), refreshed from Postgres with every copy. */
  owner: Owner;
  /** Postgres missed the last copy: the next alarm copies first. */
  copyDue: boolean;
  /** The grant (ciphertext) a step found revoked: its owner is marked `needs_reauth` with the next copy. */
  lostGrant: string | null;
  /** The Pacific day (of the steps' time) whose Analytics rows were last fetched. */
  analyticsDay: string | null;
  /** The `test.finished` job was sent (the owner's dashboard figures are rolled up). */
  finishAnnounced: boolean;
  /** The title to leave live when the test ends (set when it starts to finish). */
  final: { title: string; variant: number | null; status: "completed" | "stopped" } | null;
  record: TestRecord;
}

type SlotStored = {
  slot_index: number;
  variant: number;
  block: number;
  started_at: number;
  ended_at: number | null;
  views_start: number;
  views_end: number | null;
  likes: number | null;
  comments: number | null;
  copied: number;
};

const MINUTE = 60_000;
const FINISHED: readonly TestStatus[] = finishedTestStatuses;
/**
 * A title change is sent once per alarm: after a timeout the rotator reads the live title on its
 * next try instead of sending blind (a timed-out update may have been applied).
 */
const UPDATE_ONCE = { ...DEFAULT_RETRY, attempts: 1 };
const MAX_BACKOFF_MS = 15 * MINUTE;
/**
 * How soon a copy to Postgres that did not go through is tried again (plus up to as much jitter).
 * Longer than any copy takes (connections time out at 10 s): the alarm set for it must never fire
 * while the copy is still running and then find the next step armed, not yet due.
 */
const COPY_RETRY_MS = 60_000;
const HOUR = 60 * MINUTE;
/** How often a daily-metric test past its end asks the Analytics API again, and for how long. */
const SETTLE_EVERY_MS = 12 * HOUR;
const SETTLE_LIMIT_MS = 5 * 24 * HOUR;

/**
 * One per test (`idFromName(testId)`): the test's schedule, its rotation alarm and a step journal.
 * Every alarm runs one step idempotently (DESIGN §3): read the video (batched by the VideoPoller),
 * check for drift, close the slot, analyse, and either finish or change the title to the next
 * variant of the schedule. An intent is stored before every title change and checked against the
 * live title afterwards, so a crash between any two steps never sends a second `videos.update`,
 * and slots are keyed by index so none is counted twice. Postgres gets a copy after every step.
 * All entry points run one at a time (`exclusive`): one writer per test.
 */
export class TestRotator extends DurableObject<Env> implements RotatorControl {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage.sql, MIGRATIONS));
  }

  /** Answers at once: readiness checks call it. */
  ping(): "pong" {
    return "pong";
  }

  // ---- control (routes) ----------------------------------------------------------------------

  start(testId: string): Promise<RotatorAnswer> {
    return this.exclusive(async () => {
      if (this.state()) return refuse("conflict", "The test has already started");
      const { db, close } = openDb(this.env);
      try {
        const def = await loadTestDefinition(db, testId);
        if (!def) return refuse("not_found", "No such test");
        const owner = await loadOwner(db, def.userId);
        if (!owner) return refuse("not_found", "No such test");
        if (def.status !== "scheduled") return refuse("conflict", `The test is ${def.status}, not scheduled`);
        const now = Date.now();
        const requested = Math.max(def.startsAt ?? now, now);
        // A daily metric's slots are Pacific days: the first one starts at the coming midnight.
        const startAt =
          def.metric === "views" || pacificDay(requested).startsAt === requested
            ? requested
            : nextPacificReset(requested) + def.offsetSeconds * 1000;
        const state: State = {
          testId,
          userId: def.userId,
          videoId: def.videoId,
          titles: def.titles.map((t) => t.text),
          titleIds: def.titles.map((t) => t.id),
          originalTitle: def.originalTitle,
          intervalMs: def.intervalMinutes * MINUTE,
          offsetMs: def.offsetSeconds * 1000,
          metric: def.metric,
          endsAt: def.endsAt,
          autoApply: def.autoApply,
          seed: seedOf(testId),
          status: "scheduled",
          step: "rotate",
          dueAt: startAt,
          attempts: 0,
          expectedTitle: def.originalTitle,
          intent: null,
          owner,
          copyDue: false,
          lostGrant: null,
          analyticsDay: null,
          finishAnnounced: false,
          final: null,
          record: { ...emptyRecord(), status: "scheduled", nextRotationAt: startAt },
        };
        state.copyDue = true;
        this.save(state);
        this.event("scheduled", { startAt });
        await this.arm(state);
        await this.copy(state);
        return { ok: true, view: this.viewOf(state) };
      } finally {
        this.ctx.waitUntil(close());
      }
    });
  }

  pause(): Promise<RotatorAnswer> {
    return this.control(controlFrom.pause, async (state) => {
      state.status = "paused";
      state.step = null;
      state.dueAt = null;
      state.intent = null;
      await this.closeOpenSlotNow(state);
      this.event("paused", {});
    });
  }

  resume(): Promise<RotatorAnswer> {
    return this.control(controlFrom.resume, async (state) => {
      // After drift the live title is the creator's; resuming is their word that we may change it.
      if (state.status === "paused_drift") state.expectedTitle = null;
      state.status = "running";
      state.step = "rotate";
      state.dueAt = Date.now();
      state.attempts = 0;
      this.event("resumed", {});
    });
  }

  stop(): Promise<RotatorAnswer> {
    return this.control(controlFrom.stop, async (state) => {
      await this.closeOpenSlotNow(state);
      this.setFinal(
        state,
        { title: state.originalTitle, variant: variantOfTitle(state, state.originalTitle) },
        "stopped",
      );
      this.event("stopped", {});
    });
  }

  applyWinner(variant: number | null): Promise<RotatorAnswer> {
    return this.control(controlFrom.applyWinner, async (state) => {
      const chosen = variant ?? (state.record.decision === "winner" ? state.record.winnerVariant : null);
      if (chosen === null) return refuse("conflict", "There is no winner yet: choose the variant to apply");
      const title = state.titles[chosen];
      if (title === undefined) return refuse("not_found", `The test has no variant ${chosen}`);
      await this.closeOpenSlotNow(state);
      this.setFinal(state, { title, variant: chosen }, "completed");
      this.event("apply_winner", { variant: chosen });
    });
  }

  /** The test's state once the step in progress (if any) is done. */
  view(): Promise<RotatorView | null> {
    return this.exclusive(async () => {
      const state = this.state();
      return state ? this.viewOf(state) : null;
    });
  }

  amend(change: { endsAt?: number; autoApply?: boolean }): Promise<RotatorAnswer> {
    return this.control(controlFrom.amend, async (state) => {
      if (change.autoApply !== undefined) state.autoApply = change.autoApply;
      if (change.endsAt !== undefined) {
        state.endsAt = change.endsAt;
        // An earlier end brings the last boundary forward.
        if (state.step === "rotate" && state.dueAt !== null && state.dueAt > change.endsAt)
          state.dueAt = Math.max(change.endsAt, Date.now());
      }
      this.journal("amended", change);
    });
  }

  forget(): Promise<void> {
    return this.exclusive(() => this.wipe());
  }

  /** The step journal, oldest first. */
  history(): JournalEntry[] {
    return this.ctx.storage.sql.exec<JournalEntry>("SELECT * FROM journal ORDER BY seq").toArray();
  }

  /** The object's slots (tests compare them with Postgres). */
  slots(): SlotRow[] {
    return this.slotRows();
  }

  /**
   * Makes the next alarm crash at `point` once (fault-injection tests and the soak). Refused unless
   * FAULT_INJECTION is "on", which production never sets.
   */
  injectCrash(point: CrashPoint): void {
    if (this.env.FAULT_INJECTION !== "on") throw new Error("fault injection is off");
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO faults (point) VALUES (?)", point);
  }

  /** Re-arms a live test whose alarm went missing (the stale-test sweep). */
  rearm(): Promise<boolean> {
    return this.exclusive(async () => {
      const state = this.state();
      if (!state || ((!state.step || state.dueAt === null) && !state.copyDue)) return false;
      if ((await this.ctx.storage.getAlarm()) !== null) return false;
      await this.arm(state);
      this.journal("rearmed", {});
      return true;
    });
  }

  // ---- the alarm -----------------------------------------------------------------------------

  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    await this.exclusive(async () => {
      const state = this.state();
      if (!state) return;
      if (state.copyDue) {
        if (!(await this.copy(state))) return;
        if (!state.step || state.dueAt === null || state.dueAt > Date.now()) return;
      }
      if (!state.step || state.dueAt === null) return;
      if (info && state.dueAt > Date.now() + 1000) {
        // The platform never runs a step before its time: this alarm is a stale one (a retry of a
        // run that had already armed the next step, or a copy retry that lost a race). Only a
        // direct call (the tests' runDurableObjectAlarm, which passes no info) runs it early.
        return this.arm(state);
      }
      const at = Math.max(state.dueAt, Date.now());
      this.journal("alarm", { step: state.step, at });
      try {
        if (state.step === "rotate") await this.rotate(state, at);
        else if (state.step === "settle") await this.settle(state, at);
        else await this.finish(state, at, await this.read(state));
        state.attempts = 0;
        await this.fetchDailyIfDue(state, at);
      } catch (err) {
        if (err instanceof InjectedCrash) throw err;
        this.onFailure(state, err, at);
      }
      state.copyDue = true;
      this.save(state);
      await this.arm(state);
      await this.checkpoint("before-copy");
      await this.copy(state);
      await this.checkpoint("after-copy");
    });
  }

  /** One boundary: the slot ends, and either the test finishes or the next variant goes live. */
  private async rotate(state: State, at: number): Promise<void> {
    const video = await this.read(state);
    await this.checkpoint("after-poll");
    const live = video.snippet.title;
    const open = this.openSlot();

    if (state.intent?.kind === "open" && live === state.intent.title) {
      // The change was made before a crash: record it, do not send it again.
      this.opened(state, at, video, state.intent);
      await this.checkpoint("after-commit");
      return;
    }
    const ours = state.intent ? [state.expectedTitle, state.intent.title] : [state.expectedTitle];
    if (state.expectedTitle !== null && !ours.includes(live)) {
      this.drifted(state, at, video, live);
      return;
    }
    if (open) {
      const analysis = this.analysis(state, { ...open, endedAt: at, viewsEnd: video.viewCount }, at);
      const over = analysis.decision !== "collecting";
      if (over && analysis.decision === "inconclusive" && this.daysMissing(state, open.slotIndex) > 0) {
        // A daily metric's last days are not in the Analytics API yet: the verdict waits for them.
        this.closeSlot(open.slotIndex, at, video);
        state.step = "settle";
        state.dueAt = at + SETTLE_EVERY_MS;
        this.event("settling", { missingDays: this.daysMissing(state) });
        return;
      }
      if (over) {
        this.closeSlot(open.slotIndex, at, video);
        await this.decide(state, at, video);
        return;
      }
    }
    const index = this.slotCount();
    const variant = this.variantOf(state, index);
    const intent: Intent = { kind: "open", title: state.titles[variant] as string, variant };
    if (live !== intent.title) {
      state.intent = intent;
      this.save(state);
      await this.checkpoint("after-intent");
      try {
        await this.changeTitle(state, intent.title, video.snippet);
      } catch (err) {
        // Without a grant the test waits for the creator: the slot ends here, not when they return.
        if (err instanceof YouTubeError && err.kind === "auth_revoked" && open)
          this.closeSlot(open.slotIndex, at, video);
        throw err;
      }
      await this.checkpoint("after-update");
    }
    this.opened(state, at, video, intent);
    await this.checkpoint("after-commit");
  }

  /** The verdict on the closed slots: the winner (if auto-applied) or the original title goes live. */
  private async decide(state: State, at: number, video: PolledVideo): Promise<void> {
    const analysis = this.analysis(state, null, at);
    const winner = analysis.decision === "winner" && state.autoApply ? analysis.winner : null;
    const title = winner !== null ? (state.titles[winner] as string) : state.originalTitle;
    this.setFinal(state, { title, variant: winner ?? variantOfTitle(state, title) }, "completed");
    this.event("finished", { decision: analysis.decision, winner: analysis.winner });
    recordRotation(this.env, "finished");
    await this.finish(state, at, video);
  }

  /**
   * A daily-metric test past its end: fetches the Analytics rows again and, once every day is in
   * (or the API has had `SETTLE_LIMIT_MS` to deliver them), decides.
   */
  private async settle(state: State, at: number): Promise<void> {
    state.analyticsDay = null;
    await this.fetchDailyIfDue(state, at, true);
    if (this.daysMissing(state) > 0 && at < state.endsAt + SETTLE_LIMIT_MS) {
      state.dueAt = at + SETTLE_EVERY_MS;
      return;
    }
    await this.decide(state, at, await this.read(state));
  }

  /** Sets the test's last title (unless the creator has put their own), then ends it. */
  private async finish(state: State, at: number, video: PolledVideo): Promise<void> {
    const final = state.final;
    if (!final) throw new Error("finish without a final title");
    await this.checkpoint("after-poll");
    const live = video.snippet.title;
    const ours = new Set([...state.titles, state.originalTitle]);
    if (live !== final.title) {
      if (!ours.has(live)) {
        // The creator retitled the video by hand: their title stays.
        this.event("title_left", { liveTitle: live });
      } else {
        state.intent = { kind: "final", title: final.title, variant: final.variant };
        this.save(state);
        await this.checkpoint("after-intent");
        await this.changeTitle(state, final.title, video.snippet);
        await this.checkpoint("after-update");
      }
    }
    state.intent = null;
    state.step = null;
    state.dueAt = null;
    state.record.finalVariant = live === final.title || ours.has(live) ? final.variant : null;
    state.record.finalTitleSetAt = at;
    state.record.currentVariant = state.record.finalVariant;
    this.event(
      final.variant === variantOfTitle(state, state.originalTitle) ? "title_restored" : "title_applied",
      {
        title: final.title,
        variant: final.variant,
      },
    );
    await this.checkpoint("after-commit");
  }

  // ---- steps' parts --------------------------------------------------------------------------

  /** The live video, through the VideoPoller's batch (or the owner's token for a private video). */
  private async read(state: State): Promise<PolledVideo> {
    const priority = plans[state.owner.plan].quotaPriority;
    const answer = await videoPoller(this.env).read(state.videoId, priority);
    if (!answer.ok) {
      // A boundary read runs on whichever project the ledger picked, not the owner's: its quota
      // running out says nothing about theirs, and the ledger picks another project next time.
      const retryAt = answer.kind === "quota_exhausted" ? Date.now() + MINUTE : answer.retryAt;
      throw new YouTubeError(answer.kind, answer.message, { retryAt });
    }
    if (answer.video) return answer.video;
    // Not public: a private video is only visible to its owner.
    const user = await this.youtubeUser(state);
    const [video] = await youtubeClient(this.env).getVideos(user, [state.videoId], { fresh: true });
    if (!video?.snippet)
      throw new YouTubeError("not_found", "The video is gone", { reason: "videoNotFound" });
    return {
      id: video.id,
      snippet: video.snippet,
      viewCount: video.statistics?.viewCount ?? 0,
      likeCount: video.statistics?.likeCount ?? 0,
      commentCount: video.statistics?.commentCount ?? 0,
    };
  }

  /** One `videos.update`, with the snippet read at this boundary, at the owner's project and priority. */
  private async changeTitle(state: State, title: string, current: VideoSnippet): Promise<void> {
    const user = await this.youtubeUser(state);
    await youtubeClient(this.env, { retry: UPDATE_ONCE }).updateVideoTitle(user, state.videoId, title, {
      current,
    });
  }

  /** Closes the open slot (if any) and opens the next one with the intent's variant. */
  private opened(state: State, at: number, video: PolledVideo, intent: Intent): void {
    const open = this.openSlot();
    const index = this.slotCount();
    const variant = intent.variant as number;
    const first = state.status === "scheduled";
    state.intent = null;
    state.expectedTitle = intent.title;
    state.status = "running";
    state.record.currentVariant = variant;
    state.record.startedAt ??= at;
    state.step = "rotate";
    state.dueAt = this.nextDue(state, at);
    // The slots and the state that points past them change together, or not at all.
    this.ctx.storage.transactionSync(() => {
      if (open) this.closeSlot(open.slotIndex, at, video);
      this.ctx.storage.sql.exec(
        "INSERT INTO slots (slot_index, variant, block, started_at, views_start) VALUES (?, ?, ?, ?, ?)",
        index,
        variant,
        Math.floor(index / state.titles.length),
        at,
        video.viewCount,
      );
      this.save(state);
      this.event(first ? "started" : "rotated", { slot: index, variant, views: video.viewCount });
    });
    if (!first) recordRotation(this.env, "rotated");
  }

  /** The creator changed the title by hand: the test pauses and their title is left alone. */
  private drifted(state: State, at: number, video: PolledVideo, live: string): void {
    const open = this.openSlot();
    if (open) this.closeSlot(open.slotIndex, at, video);
    state.status = "paused_drift";
    state.step = null;
    state.dueAt = null;
    state.intent = null;
    this.event("drift", { liveTitle: live, expectedTitle: state.expectedTitle });
    recordRotation(this.env, "drift");
  }

  private setFinal(
    state: State,
    target: { title: string; variant: number | null },
    status: "completed" | "stopped",
  ) {
    state.final = { ...target, status };
    state.status = status;
    state.step = "finish";
    state.dueAt = Date.now();
    state.record.finishedAt ??= Date.now();
  }

  /** Failure handling of DESIGN §3: reauth, missing video, quota waits, backoff. */
  private onFailure(state: State, err: unknown, at: number): void {
    const kind: YouTubeErrorKind = err instanceof YouTubeError ? err.kind : "transient";
    const message = err instanceof Error ? err.message : String(err);
    switch (kind) {
      case "auth_revoked":
        if (state.step === "rotate") {
          state.status = "needs_reauth";
          state.step = null;
          state.dueAt = null;
          this.event("needs_reauth", {});
          recordRotation(this.env, "needs_reauth");
          state.lostGrant = state.owner.refreshTokenEnc;
        } else {
          // Finishing without a grant: the title cannot be set; the test ends as it is.
          this.endWithoutTitle(state, "needs_reauth");
        }
        return;
      case "not_found":
        state.status = "video_missing";
        state.step = null;
        state.dueAt = null;
        state.intent = null;
        state.record.finishedAt ??= at;
        this.event("video_missing", {});
        recordRotation(this.env, "video_missing");
        return;
      case "quota_exhausted":
      case "rate_limited": {
        const retryAt = err instanceof YouTubeError && err.retryAt ? err.retryAt : at + 5 * MINUTE;
        state.dueAt = Math.max(retryAt, at + 1000);
        this.event("quota_wait", { reason: err instanceof YouTubeError ? err.reason : undefined, retryAt });
        recordRotation(this.env, "quota_wait");
        return;
      }
      case "forbidden":
      case "invalid_request":
        // Retrying cannot fix these: a running test waits for the creator, an ending one ends as it is.
        this.event("error", { kind, message });
        if (state.step === "finish") {
          this.endWithoutTitle(state, kind);
          return;
        }
        state.status = "paused";
        state.step = null;
        state.dueAt = null;
        state.intent = null;
        return;
      case "transient": {
        state.attempts += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** (state.attempts - 1));
        state.dueAt = at + backoff * (0.5 + Math.random() / 2);
        this.event("retry", { attempt: state.attempts, message: message.slice(0, 200) });
        recordRotation(this.env, "retry");
        return;
      }
    }
  }

  private endWithoutTitle(state: State, reason: string): void {
    state.step = null;
    state.dueAt = null;
    state.intent = null;
    this.event("title_not_set", { reason });
  }

  /** Runs the analysis (with a provisional closed slot) and records it on the test. */
  private analysis(state: State, provisional: SlotRow | null, at: number): Analysis {
    const rows = this.slotRows().map((s) =>
      provisional && s.slotIndex === provisional.slotIndex ? provisional : s,
    );
    const analysis = analyzeTest(
      state.metric,
      state.titles.length,
      rows.map(toRecord),
      this.days(),
      at >= state.endsAt,
    );
    const leader = [...analysis.variants].sort((a, b) => b.pBest - a.pBest)[0];
    const winner = analysis.winner === null ? undefined : analysis.variants[analysis.winner];
    Object.assign(state.record, {
      decision: analysis.decision,
      winnerVariant: analysis.winner,
      winnerLift: winner?.lift ?? null,
      pValue: analysis.pValue,
      leaderVariant: leader?.variant ?? null,
      leaderPBest: leader?.pBest ?? null,
    });
    return analysis;
  }

  /**
   * Once per Pacific day (of the steps' time), the video's daily Analytics rows since the test
   * started: impressions, CTR, watch time. They cost no Data API quota. A failure only means a
   * day later; the rotation itself never waits on them (the settle step does, by design).
   */
  private async fetchDailyIfDue(state: State, at: number, settling = false): Promise<void> {
    const today = pacificDayKey(at);
    const live = state.status === "running" || settling;
    if (state.analyticsDay === today || state.record.startedAt === null || !live) return;
    try {
      const user = await this.youtubeUser(state);
      const rows = await youtubeClient(this.env).getDailyVideoMetrics(
        user,
        state.videoId,
        pacificDayKey(state.record.startedAt),
        today,
      );
      this.ctx.storage.transactionSync(() => {
        for (const r of rows)
          this.ctx.storage.sql.exec(
            `INSERT INTO days (day, views, minutes, impressions, ctr, copied) VALUES (?, ?, ?, ?, ?, 0)
             ON CONFLICT (day) DO UPDATE SET views = excluded.views, minutes = excluded.minutes,
               impressions = excluded.impressions, ctr = excluded.ctr, copied = 0`,
            r.day,
            r.views,
            r.estimatedMinutesWatched,
            r.impressions,
            r.impressionsClickRate,
          );
      });
      state.analyticsDay = today;
    } catch (err) {
      this.journal("analytics_failed", {
        message: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
    }
  }

  /** Daily rows not yet in Postgres, each with the variant live all that day (if only one was). */
  private dailyRowsToCopy(state: State): DailyRow[] {
    const slots = this.slotRows();
    return this.ctx.storage.sql
      .exec<{ day: string; views: number; impressions: number; ctr: number; minutes: number }>(
        "SELECT * FROM days WHERE copied = 0",
      )
      .toArray()
      .map((d) => {
        const bounds = pacificDay(Date.parse(`${d.day}T12:00:00Z`));
        const live = new Set(
          slots
            .filter(
              (s) => s.startedAt < bounds.endsAt && (s.endedAt ?? Number.POSITIVE_INFINITY) > bounds.startsAt,
            )
            .map((s) => s.variant),
        );
        const variant = live.size === 1 ? [...live][0] : undefined;
        return {
          day: d.day,
          titleId: variant === undefined ? null : (state.titleIds[variant] ?? null),
          views: d.views,
          impressions: d.impressions,
          ctr: d.ctr,
          watchMinutes: d.minutes,
        };
      });
  }

  private days(): Map<string, DailyRecord> {
    const rows = this.ctx.storage.sql
      .exec<{ day: string; impressions: number; ctr: number; minutes: number }>("SELECT * FROM days")
      .toArray();
    return new Map(
      rows.map((r) => [
        r.day,
        { day: r.day, impressions: r.impressions, ctr: r.ctr, watchMinutes: r.minutes },
      ]),
    );
  }

  /** Closed daily slots (and `closing`, about to close) whose Analytics row has not arrived. */
  private daysMissing(state: State, closing?: number): number {
    if (state.metric === "views") return 0;
    const records = this.slotRows().map((s) =>
      toRecord(s.slotIndex === closing ? { ...s, endedAt: s.startedAt + 1, viewsEnd: s.viewsStart } : s),
    );
    return dailySlots(state.metric, records, this.days(), pacificDayKey).missing;
  }

  /** Closes the open slot at the present moment's view count (pause, stop, apply-winner). */
  private async closeOpenSlotNow(state: State): Promise<void> {
    const open = this.openSlot();
    if (!open) return;
    const at = Math.max(Date.now(), open.startedAt);
    try {
      const video = await this.read(state);
      this.closeSlot(open.slotIndex, at, video);
      this.analysis(state, null, at);
    } catch {
      // Unreadable now: the slot ends empty (no hours, no views) rather than with a guessed count.
      this.ctx.storage.sql.exec(
        "UPDATE slots SET ended_at = started_at, views_end = views_start, copied = 0 WHERE slot_index = ?",
        open.slotIndex,
      );
      this.event("slot_dropped", { slot: open.slotIndex });
    }
  }

  private closeSlot(index: number, at: number, video: PolledVideo): void {
    this.ctx.storage.sql.exec(
      "UPDATE slots SET ended_at = ?, views_end = ?, likes = ?, comments = ?, copied = 0 WHERE slot_index = ? AND ended_at IS NULL",
      at,
      video.viewCount,
      video.likeCount,
      video.commentCount,
      index,
    );
  }

  /** The next boundary after `at` on the test's grid; a slot lasts at least half an interval. */
  private nextDue(state: State, at: number): number {
    const next = (t: number) =>
      state.metric === "views"
        ? nextBoundary(t, state.intervalMs, state.offsetMs)
        : nextPacificReset(t) + state.offsetMs;
    let due = next(at);
    if (due - at < state.intervalMs / 2) due = next(due);
    // The last slot ends at the end time; a daily metric's at the midnight after it (whole days).
    const end =
      state.metric === "views" || pacificDay(state.endsAt).startsAt === state.endsAt
        ? state.endsAt
        : nextPacificReset(state.endsAt) + state.offsetMs;
    return Math.min(due, Math.max(end, at));
  }

  /** The variant of slot `index`: blocks of random permutations, seeded by the test id. */
  private variantOf(state: State, index: number): number {
    const k = state.titles.length;
    const blocks = createSchedule(k, Math.floor(index / k) + 1, state.seed);
    return blocks[Math.floor(index / k)]?.[index % k] as number;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** Deletes the object's storage and alarm; the instance stays usable (an empty object). */
  private async wipe(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrateSqlite(this.ctx.storage.sql, MIGRATIONS);
  }

  /** Runs control methods and alarms one at a time, so no two writers interleave at an await. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A control method: refused unless the test is in one of `allowed`; otherwise the change is
   * stored, its step armed (a finish runs at once) and copied to Postgres.
   */
  private control(
    allowed: readonly TestStatus[],
    change: (state: State) => Promise<RotatorAnswer | undefined> | Promise<void>,
  ): Promise<RotatorAnswer> {
    return this.exclusive(async () => {
      const state = this.state();
      if (!state) return refuse("not_found", "The test has not started");
      if (!allowed.includes(state.status)) return refuse("conflict", `The test is ${state.status}`);
      const refused = await change(state);
      if (refused) return refused;
      state.copyDue = true;
      this.save(state);
      await this.arm(state);
      await this.copy(state);
      return { ok: true, view: this.viewOf(state) };
    });
  }

  /**
   * Sets the alarm for the next step; while a copy to Postgres is pending, no later than a few
   * seconds from now (so an interrupted copy is always retried, even after the last step).
   */
  private async arm(state: State): Promise<void> {
    const step = state.step && state.dueAt !== null ? state.dueAt : null;
    const copy = state.copyDue ? Date.now() + COPY_RETRY_MS * (1 + Math.random()) : null;
    const at = step === null ? copy : copy === null ? step : Math.min(step, copy);
    // Only an alarm moved earlier for the copy is moved back once the copy is done: re-setting the
    // step's own alarm could let it fire a second time.
    this.armedForCopy = at !== null && at === copy;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  /** Whether the alarm set last is the copy's safety net rather than the next step's. */
  private armedForCopy = false;

  /**
   * Copies the state, changed slots and outbox to Postgres, marks them copied, and refreshes the
   * owner. When Postgres is unreachable (or out of connections) the copy is retried by a near alarm;
   * answers whether it went through.
   */
  private async copy(state: State): Promise<boolean> {
    const changed = this.slotRows("WHERE copied = 0");
    const days = this.dailyRowsToCopy(state);
    const { db, close } = openDb(this.env);
    try {
      if (state.lostGrant) {
        // Only the grant that failed is marked lost: if the creator has reconnected since, their
        // new grant stands, and this test goes on with it.
        await markNeedsReauth(this.env, db, state.userId, state.lostGrant);
        state.owner = (await loadOwner(db, state.userId)) ?? state.owner;
        if (state.status === "needs_reauth" && state.owner.refreshTokenEnc !== state.lostGrant) {
          state.status = "running";
          state.step = "rotate";
          state.dueAt = Date.now();
          this.event("resumed", { reason: "reconnected" });
        }
        state.lostGrant = null;
      }
      state.record.status = state.status;
      state.record.nextRotationAt = state.step ? state.dueAt : null;
      const outboxNow = this.outbox();
      if (!(await copyToRecord(db, state, state.record, changed, outboxNow, days))) {
        // The test's row is gone (deleted while this object could not be told): nothing to run.
        await this.wipe();
        return false;
      }
      if (!state.finishAnnounced && FINISHED.includes(state.status)) {
        await this.env.JOBS.send({ type: "test.finished", testId: state.testId, userId: state.userId });
        recordJobsEnqueued(this.env, ["test.finished"]);
        state.finishAnnounced = true;
      }
      state.owner = (await loadOwner(db, state.userId)) ?? state.owner;
      state.copyDue = false;
    } catch (err) {
      state.copyDue = true;
      this.save(state);
      await this.arm(state);
      this.journal("copy_failed", {
        message: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
      return false;
    } finally {
      this.ctx.waitUntil(close());
    }
    const lastSeq = this.outbox().at(-1)?.seq ?? 0;
    this.ctx.storage.transactionSync(() => {
      for (const s of changed)
        this.ctx.storage.sql.exec("UPDATE slots SET copied = 1 WHERE slot_index = ?", s.slotIndex);
      this.ctx.storage.sql.exec("DELETE FROM outbox WHERE seq <= ?", lastSeq);
      for (const d of days) this.ctx.storage.sql.exec("UPDATE days SET copied = 1 WHERE day = ?", d.day);
      this.save(state);
    });
    if (this.armedForCopy) await this.arm(state);
    return true;
  }

  private outbox(): OutboxEvent[] {
    return this.ctx.storage.sql
      .exec<{ seq: number; type: string; data: string; at: number }>("SELECT * FROM outbox ORDER BY seq")
      .toArray()
      .map((e): OutboxEvent => ({ seq: e.seq, type: e.type, data: JSON.parse(e.data), at: e.at }));
  }

  private async checkpoint(point: CrashPoint): Promise<void> {
    if (this.env.FAULT_INJECTION !== "on") return;
    const hit = this.ctx.storage.sql
      .exec("DELETE FROM faults WHERE point = ? RETURNING point", point)
      .toArray();
    if (hit.length > 0) {
      this.journal("crash", { point });
      throw new InjectedCrash(`injected crash ${point}`);
    }
  }

  /** The owner as the YouTube client needs them; a grant lost or marked lost is a reauth. */
  private async youtubeUser(state: State) {
    const owner = state.owner;
    if (!owner.project || !owner.refreshTokenEnc || owner.status === "needs_reauth") {
      throw new YouTubeError("auth_revoked", "no Google grant is stored for this user");
    }
    return {
      id: state.userId,
      project: owner.project,
      refreshToken: await decryptSecret(this.env, state.userId, owner.refreshTokenEnc),
      priority: plans[owner.plan].quotaPriority,
      plan: owner.plan,
    };
  }

  private state(): State | null {
    const row = this.ctx.storage.sql.exec<{ json: string }>("SELECT json FROM state").toArray()[0];
    return row ? (JSON.parse(row.json) as State) : null;
  }

  private save(state: State): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(state));
  }

  private slotRows(where = ""): SlotRow[] {
    return this.ctx.storage.sql
      .exec<SlotStored>(`SELECT * FROM slots ${where} ORDER BY slot_index`)
      .toArray()
      .map((s) => ({
        slotIndex: s.slot_index,
        variant: s.variant,
        block: s.block,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        viewsStart: s.views_start,
        viewsEnd: s.views_end,
        likes: s.likes,
        comments: s.comments,
      }));
  }

  private openSlot(): SlotRow | undefined {
    return this.slotRows("WHERE ended_at IS NULL")[0];
  }

  private slotCount(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM slots").one().n;
  }

  private event(type: string, data: Record<string, unknown>): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO outbox (type, data, at) VALUES (?, ?, ?)",
      type,
      JSON.stringify(data),
      Date.now(),
    );
    this.journal(type, data);
  }

  private journal(step: string, data: Record<string, unknown>): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO journal (at, step, data) VALUES (?, ?, ?)",
      Date.now(),
      step,
      JSON.stringify(data),
    );
  }

  private viewOf(state: State): RotatorView {
    return {
      testId: state.testId,
      status: state.status,
      currentVariant: state.record.currentVariant,
      nextStepAt: state.step ? state.dueAt : null,
      slotsOpened: this.slotCount(),
      pendingFinalVariant: state.step === "finish" ? (state.final?.variant ?? null) : null,
    };
  }
}

/** A stored slot as the analysis reads it. */
function toRecord(s: SlotRow) {
  return { ...s, startedAt: new Date(s.startedAt), endedAt: s.endedAt === null ? null : new Date(s.endedAt) };
}

function refuse(code: "conflict" | "not_found", message: string): RotatorAnswer {
  return { ok: false, code, message };
}

function emptyRecord(): TestRecord {
  return {
    status: "scheduled",
    currentVariant: null,
    nextRotationAt: null,
    startedAt: null,
    finishedAt: null,
    decision: null,
    winnerVariant: null,
    winnerLift: null,
    pValue: null,
    leaderVariant: null,
    leaderPBest: null,
    finalVariant: null,
    finalTitleSetAt: null,
  };
}

/** The variant whose text is `title`, if any (the original title is variant 0 when it was kept). */
function variantOfTitle(state: State, title: string): number | null {
  const i = state.titles.indexOf(title);
  return i >= 0 ? i : null;
}

/** A 32-bit seed from the test id (FNV-1a): the schedule is fixed by the test, replayable. */
function seedOf(testId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < testId.length; i++) {
    h ^= testId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
