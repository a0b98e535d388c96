import { DurableObject } from "cloudflare:workers";
import type { TestStatus } from "../../schema/test-statuses";
import { openDb } from "../../worker/db/client";
import { createLogger, errorFields, type Logger } from "../../worker/logging/logger";
import { recordRotation } from "../../worker/metrics/record";
import { YouTubeError } from "../../worker/youtube/errors";
import type { PolledVideo } from "../video-poller/polled-video";
import { analyse } from "./analysis";
import { controlFrom, type RotatorAnswer, type RotatorControl, type RotatorView } from "./contract";
import { DailyMetrics, requestReachJob } from "./daily-metrics";
import { onStepFailure } from "./failures";
import { type CrashPoint, FaultPoints, InjectedCrash } from "./fault-points";
import { changeTitle, readVideo } from "./live-video";
import { loadOwner, loadTestDefinition, mirrorToPostgres, type SlotRow } from "./mirror";
import { nextDue, variantOf } from "./slot-grid";
import { type Intent, initialState, refuse, type State, variantOfTitle } from "./state";
import { type JournalEntry, RotatorStore } from "./store";
import { timeLapseEnabled } from "./time-lapse";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * How soon a copy to Postgres that did not go through is tried again (plus up to as much jitter).
 * Longer than any copy takes (connections time out at 10 s): the alarm set for it must never fire
 * while the copy is still running and then find the next step armed, not yet due.
 */
const COPY_RETRY_MS = 60_000;
/** How often a daily-metric test past its end reads its daily figures again, and for how long (at least). */
const SETTLE_EVERY_MS = 12 * HOUR;
const SETTLE_LIMIT_MS = 5 * 24 * HOUR;

/**
 * One per test (`idFromName(testId)`): the test's schedule, its rotation alarm and a step journal.
 * Every alarm runs one step idempotently: read the video (batched by the VideoPoller), check for
 * drift, close the slot, analyse, and either finish or change the title to the next variant of the
 * schedule. An intent is stored before every title change and checked against the live title
 * afterwards, so a crash between any two steps never sends a second `videos.update`, and slots are
 * keyed by index so none is counted twice. Postgres gets a copy after every step (`mirror.ts`).
 * All entry points run one at a time (`exclusive`): one writer per test.
 */
export class TestRotator extends DurableObject<Env> implements RotatorControl {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly store: RotatorStore;
  private readonly faults: FaultPoints;
  private readonly daily: DailyMetrics;
  private readonly log: Logger = createLogger({ object: "TestRotator" });
  /** Whether the alarm set last is the copy's safety net rather than the next step's. */
  private armedForCopy = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RotatorStore(ctx.storage);
    this.faults = new FaultPoints(env, this.store);
    this.daily = new DailyMetrics(env, this.store);
    ctx.blockConcurrencyWhile(async () => this.store.migrate());
  }

  /** Answers at once: readiness checks call it. */
  ping(): "pong" {
    return "pong";
  }

  // ---- control (routes) ----------------------------------------------------------------------

  start(testId: string): Promise<RotatorAnswer> {
    return this.exclusive(async () => {
      if (this.store.state()) return refuse("conflict", "The test has already started");
      const { db, close } = openDb(this.env);
      try {
        const def = await loadTestDefinition(db, testId);
        if (!def) return refuse("not_found", "No such test");
        const owner = await loadOwner(db, def.userId);
        if (!owner) return refuse("not_found", "No such test");
        if (def.status !== "scheduled") return refuse("conflict", `The test is ${def.status}, not scheduled`);
        const state = initialState(testId, def, owner, Date.now());
        this.store.save(state);
        this.store.event("scheduled", { startAt: state.dueAt });
        if (state.metric === "ctr") await requestReachJob(this.env, state.userId, this.log);
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
      this.store.event("paused", {});
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
      this.store.event("resumed", {});
    });
  }

  stop(): Promise<RotatorAnswer> {
    return this.control(controlFrom.stop, async (state) => {
      await this.closeOpenSlotNow(state);
      const original = state.originalTitle;
      this.setFinal(state, { title: original, variant: variantOfTitle(state, original) }, "stopped");
      this.store.event("stopped", {});
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
      this.store.event("apply_winner", { variant: chosen });
    });
  }

  /** The test's state once the step in progress (if any) is done. */
  view(): Promise<RotatorView | null> {
    return this.exclusive(async () => {
      const state = this.store.state();
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
      this.store.journal("amended", change);
    });
  }

  forget(): Promise<void> {
    return this.exclusive(() => this.store.wipe());
  }

  /** The step journal, oldest first. */
  history(): JournalEntry[] {
    return this.store.history();
  }

  /** The object's slots (tests compare them with Postgres). */
  slots(): SlotRow[] {
    return this.store.slotRows();
  }

  /**
   * Makes the next alarm crash at `point` once (fault-injection tests and the soak). Refused unless
   * FAULT_INJECTION is "on", which production never sets.
   */
  injectCrash(point: CrashPoint): void {
    this.faults.inject(point);
  }

  /** Runs the armed step now, at its own time, as a direct alarm call does (local only: `time-lapse.ts`). */
  async runDueStep(): Promise<RotatorAnswer> {
    if (!timeLapseEnabled(this.env) || !this.store.state()) return refuse("not_found", "No step to run here");
    const view = await this.alarm().then(() => this.view());
    return view ? { ok: true, view } : refuse("not_found", "The test is gone");
  }

  /** Re-arms a live test whose alarm went missing (the stale-test sweep). */
  rearm(): Promise<boolean> {
    return this.exclusive(async () => {
      const state = this.store.state();
      if (!state || ((!state.step || state.dueAt === null) && !state.copyDue)) return false;
      if ((await this.ctx.storage.getAlarm()) !== null) return false;
      await this.arm(state);
      this.store.journal("rearmed", {});
      return true;
    });
  }

  // ---- the alarm: one step -------------------------------------------------------------------

  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    await this.exclusive(async () => {
      const state = this.store.state();
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
      const step = state.step;
      this.store.journal("alarm", { step, at });
      try {
        if (step === "rotate") await this.rotate(state, at);
        else if (step === "settle") await this.settle(state, at);
        else await this.finish(state, at, await readVideo(this.env, state));
        state.attempts = 0;
        // A settle step has just fetched them itself: again would read the reach days twice.
        if (step !== "settle") await this.daily.fetchIfDue(state, at);
      } catch (err) {
        if (err instanceof InjectedCrash) throw err;
        onStepFailure(this.env, this.store, state, err, at);
      }
      state.copyDue = true;
      this.store.save(state);
      await this.arm(state);
      await this.faults.checkpoint("before-copy");
      await this.copy(state);
      await this.faults.checkpoint("after-copy");
    });
  }

  /** One boundary: the slot ends, and either the test finishes or the next variant goes live. */
  private async rotate(state: State, at: number): Promise<void> {
    const video = await readVideo(this.env, state);
    await this.faults.checkpoint("after-poll");
    const live = video.snippet.title;
    const open = this.store.openSlot();

    if (state.intent?.kind === "open" && live === state.intent.title) {
      // The change was made before a crash: record it, do not send it again.
      this.opened(state, at, video, state.intent);
      await this.faults.checkpoint("after-commit");
      return;
    }
    const ours = state.intent ? [state.expectedTitle, state.intent.title] : [state.expectedTitle];
    if (state.expectedTitle !== null && !ours.includes(live)) {
      this.drifted(state, at, video, live);
      return;
    }
    if (open) {
      const analysis = analyse(this.store, state, { ...open, endedAt: at, viewsEnd: video.viewCount }, at);
      const over = analysis.decision !== "collecting";
      if (over && analysis.decision === "inconclusive" && this.daily.missing(state, open.slotIndex) > 0) {
        // A daily metric's last days are not in the Analytics API yet: the verdict waits for them.
        this.store.closeSlot(open.slotIndex, at, video);
        state.step = "settle";
        state.dueAt = at + SETTLE_EVERY_MS;
        this.store.event("settling", { missingDays: this.daily.missing(state) });
        return;
      }
      if (over) {
        this.store.closeSlot(open.slotIndex, at, video);
        await this.decide(state, at, video);
        return;
      }
    }
    const variant = variantOf(state.titles.length, state.seed, this.store.slotCount());
    const intent: Intent = { kind: "open", title: state.titles[variant] as string, variant };
    if (live !== intent.title) {
      state.intent = intent;
      this.store.save(state);
      await this.faults.checkpoint("after-intent");
      try {
        await changeTitle(this.env, state, intent.title, video.snippet);
      } catch (err) {
        // Without a grant the test waits for the creator: the slot ends here, not when they return.
        if (err instanceof YouTubeError && err.kind === "auth_revoked" && open)
          this.store.closeSlot(open.slotIndex, at, video);
        throw err;
      }
      await this.faults.checkpoint("after-update");
    }
    this.opened(state, at, video, intent);
    await this.faults.checkpoint("after-commit");
  }

  /** The verdict on the closed slots: the winner (if auto-applied) or the original title goes live. */
  private async decide(state: State, at: number, video: PolledVideo): Promise<void> {
    const analysis = analyse(this.store, state, null, at);
    const winner = analysis.decision === "winner" && state.autoApply ? analysis.winner : null;
    const title = winner !== null ? (state.titles[winner] as string) : state.originalTitle;
    this.setFinal(state, { title, variant: winner ?? variantOfTitle(state, title) }, "completed");
    this.store.event("finished", { decision: analysis.decision, winner: analysis.winner });
    recordRotation(this.env, "finished");
    await this.finish(state, at, video);
  }

  /**
   * A daily-metric test past its end: fetches its daily figures again and, once every day is in
   * (or YouTube has had `SETTLE_LIMIT_MS` to deliver them — longer for a CTR test whose reporting
   * job is younger than its days), decides.
   */
  private async settle(state: State, at: number): Promise<void> {
    state.analyticsDay = null;
    await this.daily.fetchIfDue(state, at, true);
    if (this.daily.missing(state) > 0 && at < this.daily.settleUntil(state, state.endsAt + SETTLE_LIMIT_MS)) {
      state.dueAt = at + SETTLE_EVERY_MS;
      return;
    }
    await this.decide(state, at, await readVideo(this.env, state));
  }

  /** Sets the test's last title (unless the creator has put their own), then ends it. */
  private async finish(state: State, at: number, video: PolledVideo): Promise<void> {
    const final = state.final;
    if (!final) throw new Error("finish without a final title");
    await this.faults.checkpoint("after-poll");
    const live = video.snippet.title;
    const ours = new Set([...state.titles, state.originalTitle]);
    if (live !== final.title) {
      if (!ours.has(live)) {
        // The creator retitled the video by hand: their title stays.
        this.store.event("title_left", { liveTitle: live });
      } else {
        state.intent = { kind: "final", title: final.title, variant: final.variant };
        this.store.save(state);
        await this.faults.checkpoint("after-intent");
        await changeTitle(this.env, state, final.title, video.snippet);
        await this.faults.checkpoint("after-update");
      }
    }
    state.intent = null;
    state.step = null;
    state.dueAt = null;
    state.record.finalVariant = live === final.title || ours.has(live) ? final.variant : null;
    state.record.finalTitleSetAt = at;
    state.record.currentVariant = state.record.finalVariant;
    const restored = final.variant === variantOfTitle(state, state.originalTitle);
    this.store.event(restored ? "title_restored" : "title_applied", {
      title: final.title,
      variant: final.variant,
    });
    await this.faults.checkpoint("after-commit");
  }

  // ---- the steps' parts ----------------------------------------------------------------------

  /** Closes the open slot (if any) and opens the next one with the intent's variant. */
  private opened(state: State, at: number, video: PolledVideo, intent: Intent): void {
    const open = this.store.openSlot();
    const index = this.store.slotCount();
    const variant = intent.variant as number;
    const first = state.status === "scheduled";
    state.intent = null;
    state.expectedTitle = intent.title;
    state.status = "running";
    state.record.currentVariant = variant;
    state.record.startedAt ??= at;
    state.step = "rotate";
    state.dueAt = nextDue(state, at);
    // The slots and the state that points past them change together, or not at all.
    this.store.transaction(() => {
      if (open) this.store.closeSlot(open.slotIndex, at, video);
      const block = Math.floor(index / state.titles.length);
      this.store.openSlotAt({ index, variant, block, at, views: video.viewCount });
      this.store.save(state);
      this.store.event(first ? "started" : "rotated", { slot: index, variant, views: video.viewCount });
    });
    if (!first) recordRotation(this.env, "rotated");
  }

  /** The creator changed the title by hand: the test pauses and their title is left alone. */
  private drifted(state: State, at: number, video: PolledVideo, live: string): void {
    const open = this.store.openSlot();
    if (open) this.store.closeSlot(open.slotIndex, at, video);
    state.status = "paused_drift";
    state.step = null;
    state.dueAt = null;
    state.intent = null;
    this.store.event("drift", { liveTitle: live, expectedTitle: state.expectedTitle });
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

  /** Closes the open slot at the present moment's view count (pause, stop, apply-winner). */
  private async closeOpenSlotNow(state: State): Promise<void> {
    const open = this.store.openSlot();
    if (!open) return;
    const at = Math.max(Date.now(), open.startedAt);
    try {
      const video = await readVideo(this.env, state);
      this.store.closeSlot(open.slotIndex, at, video);
      analyse(this.store, state, null, at);
    } catch {
      // Unreadable now: the slot ends empty (no hours, no views) rather than with a guessed count.
      this.store.dropSlot(open.slotIndex);
      this.store.event("slot_dropped", { slot: open.slotIndex });
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

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
      const state = this.store.state();
      if (!state) return refuse("not_found", "The test has not started");
      if (!allowed.includes(state.status)) return refuse("conflict", `The test is ${state.status}`);
      const refused = await change(state);
      if (refused) return refused;
      state.copyDue = true;
      this.store.save(state);
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

  /**
   * Copies the step's outcome to Postgres (`mirror.ts`). When Postgres is unreachable (or out of
   * connections) the copy is retried by a near alarm; answers whether it went through.
   */
  private async copy(state: State): Promise<boolean> {
    const outcome = await mirrorToPostgres(this.env, this.store, this.daily, state, (p) =>
      this.ctx.waitUntil(p),
    );
    switch (outcome.kind) {
      case "gone":
        await this.store.wipe();
        return false;
      case "failed": {
        state.copyDue = true;
        this.store.save(state);
        await this.arm(state);
        const { error } = outcome;
        this.store.journal("copy_failed", {
          message: error instanceof Error ? error.message.slice(0, 200) : String(error),
        });
        this.log.warn("rotator.copy_failed", { testId: state.testId, ...errorFields(error) });
        return false;
      }
      case "copied":
        if (this.armedForCopy) await this.arm(state);
        return true;
    }
  }

  private viewOf(state: State): RotatorView {
    return {
      testId: state.testId,
      status: state.status,
      currentVariant: state.record.currentVariant,
      nextStepAt: state.step ? state.dueAt : null,
      slotsOpened: this.store.slotCount(),
      pendingFinalVariant: state.step === "finish" ? (state.final?.variant ?? null) : null,
    };
  }
}
