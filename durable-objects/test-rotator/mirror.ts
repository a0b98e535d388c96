import { asc, eq, sql } from "drizzle-orm";
import { analyticsPolls, events, slots, type TestStatus, tests, titles, users } from "../../schema";
import { finishedTestStatuses } from "../../schema/test-statuses";
import type { Plan } from "../../worker/auth/plans";
import { type Db, openDb } from "../../worker/db/client";
import { recordJobsEnqueued } from "../../worker/metrics/record";
import { notify } from "../../worker/notifications/notify";
import { rotatorNotifications } from "../../worker/notifications/rotator-events";
import { markNeedsReauth } from "../../worker/users/youtube-user";
import type { DailyMetrics } from "./daily-metrics";
import type { State } from "./state";
import type { RotatorStore } from "./store";

/**
 * The TestRotator's reads and writes of Postgres, the record. The object keeps its own truth in
 * SQLite storage and copies it here after every step; each write is an upsert keyed so that a
 * copy repeated after a crash changes nothing twice.
 */

/** A test as the rotator loads it when it starts. */
export interface TestDefinition {
  testId: string;
  userId: string;
  videoId: string;
  status: TestStatus;
  titles: { id: string; variant: number; text: string }[];
  originalTitle: string;
  intervalMinutes: number;
  offsetSeconds: number;
  metric: "views" | "ctr" | "watch_time";
  startsAt: number | null;
  endsAt: number;
  autoApply: boolean;
}

/** Loads a test and its titles (variant order), or null when it does not exist. */
export async function loadTestDefinition(db: Db, testId: string): Promise<TestDefinition | null> {
  const [row] = await db.$primary.select().from(tests).where(eq(tests.id, testId));
  if (!row) return null;
  const rows = await db.$primary
    .select({ id: titles.id, variant: titles.variant, text: titles.text })
    .from(titles)
    .where(eq(titles.testId, testId))
    .orderBy(asc(titles.variant));
  return {
    testId: row.id,
    userId: row.userId,
    videoId: row.videoId,
    status: row.status,
    titles: rows,
    originalTitle: row.videoTitleOriginal,
    intervalMinutes: row.intervalMinutes,
    offsetSeconds: row.boundaryOffsetSeconds,
    metric: row.metric,
    startsAt: row.startsAt?.getTime() ?? null,
    // Tests always get an end time from the API; 30 days is the hard cap if one ever lacks it.
    endsAt: row.endsAt?.getTime() ?? (row.startsAt?.getTime() ?? Date.now()) + 30 * 86_400_000,
    autoApply: row.autoApply,
  };
}

/** The test's owner as the rotator needs them for a title change. */
export interface Owner {
  plan: Plan;
  status: "active" | "needs_reauth";
  project: string | null;
  refreshTokenEnc: string | null;
}

/** The owner of a test (their plan sets the quota priority; their grant makes the change). */
export async function loadOwner(db: Db, userId: string): Promise<Owner | null> {
  const [row] = await db.$primary
    .select({
      plan: users.plan,
      status: users.status,
      project: users.oauthProjectId,
      refreshTokenEnc: users.refreshTokenEnc,
    })
    .from(users)
    .where(eq(users.id, userId));
  return row ?? null;
}

/** The test row's fields the rotator owns. */
export interface TestRecord {
  status: TestStatus;
  currentVariant: number | null;
  nextRotationAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  decision: "collecting" | "winner" | "same" | "inconclusive" | null;
  winnerVariant: number | null;
  winnerLift: number | null;
  pValue: number | null;
  leaderVariant: number | null;
  leaderPBest: number | null;
  finalVariant: number | null;
  finalTitleSetAt: number | null;
}

/** A slot as the rotator stores it. */
export interface SlotRow {
  slotIndex: number;
  variant: number;
  block: number;
  startedAt: number;
  endedAt: number | null;
  viewsStart: number;
  viewsEnd: number | null;
  likes: number | null;
  comments: number | null;
}

/**
 * A day of the video (views and minutes from the Analytics API, impressions and CTR from the reach
 * reports; null until each arrives), with the title live all that day (null if several were).
 */
export interface DailyRow {
  day: string;
  titleId: string | null;
  views: number | null;
  impressions: number | null;
  ctr: number | null;
  watchMinutes: number | null;
}

/** An event waiting in the rotator's outbox; `seq` makes its copy idempotent. */
export interface OutboxEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: number;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * Copies one step's outcome in a single transaction: the test row, the slots changed since the
 * last copy (with a poll row per closed slot), the Analytics days fetched since, and the outbox's
 * events. Answers false when the test's row no longer exists.
 */
export async function copyToRecord(
  db: Db,
  test: { testId: string; userId: string; titleIds: string[] },
  record: TestRecord,
  changedSlots: readonly SlotRow[],
  outbox: readonly OutboxEvent[],
  days: readonly DailyRow[] = [],
): Promise<boolean> {
  return db.$primary.transaction(async (tx) => {
    const updated = await tx
      .update(tests)
      .set({
        status: record.status,
        currentVariant: record.currentVariant,
        nextRotationAt: date(record.nextRotationAt),
        startedAt: date(record.startedAt),
        finishedAt: date(record.finishedAt),
        decision: record.decision,
        winnerVariant: record.winnerVariant,
        winnerLift: record.winnerLift,
        pValue: record.pValue,
        leaderVariant: record.leaderVariant,
        leaderPBest: record.leaderPBest,
        finalVariant: record.finalVariant,
        finalTitleSetAt: date(record.finalTitleSetAt),
        updatedAt: new Date(),
      })
      .where(eq(tests.id, test.testId))
      .returning({ id: tests.id });
    if (updated.length === 0) return false;
    if (changedSlots.length > 0) {
      await tx
        .insert(slots)
        .values(
          changedSlots.map((s) => ({
            testId: test.testId,
            slotIndex: s.slotIndex,
            variant: s.variant,
            block: s.block,
            startedAt: new Date(s.startedAt),
            endedAt: date(s.endedAt),
            viewsStart: s.viewsStart,
            viewsEnd: s.viewsEnd,
          })),
        )
        .onConflictDoUpdate({
          target: [slots.testId, slots.slotIndex],
          set: { endedAt: sql`excluded.ended_at`, viewsEnd: sql`excluded.views_end` },
        });
      const closed = changedSlots.filter((s) => s.endedAt !== null);
      if (closed.length > 0) {
        await tx
          .insert(analyticsPolls)
          .values(
            closed.map((s) => ({
              testId: test.testId,
              titleId: test.titleIds[s.variant] ?? null,
              kind: "poll" as const,
              polledAt: new Date(s.endedAt as number),
              slotIndex: s.slotIndex,
              viewCount: s.viewsEnd,
              likeCount: s.likes,
              commentCount: s.comments,
            })),
          )
          .onConflictDoNothing();
      }
    }
    if (days.length > 0) {
      await tx
        .insert(analyticsPolls)
        .values(
          days.map((d) => ({
            testId: test.testId,
            titleId: d.titleId,
            kind: "daily" as const,
            day: d.day,
            viewCount: d.views,
            impressions: d.impressions,
            ctr: d.ctr,
            watchMinutes: d.watchMinutes,
          })),
        )
        .onConflictDoUpdate({
          target: [analyticsPolls.testId, analyticsPolls.day],
          targetWhere: sql`${analyticsPolls.kind} = 'daily'`,
          set: {
            titleId: sql`excluded.title_id`,
            viewCount: sql`excluded.view_count`,
            impressions: sql`excluded.impressions`,
            ctr: sql`excluded.ctr`,
            watchMinutes: sql`excluded.watch_minutes`,
            polledAt: sql`now()`,
          },
        });
    }
    if (outbox.length > 0) {
      await tx
        .insert(events)
        .values(
          outbox.map((e) => ({
            userId: test.userId,
            testId: test.testId,
            type: e.type,
            rotatorSeq: e.seq,
            data: e.data,
            createdAt: new Date(e.at),
          })),
        )
        .onConflictDoNothing();
    }
    return true;
  });
}

const FINISHED: readonly TestStatus[] = finishedTestStatuses;

/** How a copy to Postgres ended: done, the test's row gone, or failed (to be retried). */
export type CopyOutcome = { kind: "copied" } | { kind: "gone" } | { kind: "failed"; error: unknown };

/**
 * Copies the state, changed slots, Analytics days and outbox to Postgres, marks them copied, and
 * refreshes the owner (marking a grant found revoked first). On success the state is saved with
 * `copyDue` cleared; on failure it is left to the caller to re-arm.
 */
export async function mirrorToPostgres(
  env: Env,
  store: RotatorStore,
  daily: DailyMetrics,
  state: State,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<CopyOutcome> {
  const changed = store.uncopiedSlots();
  const days = daily.rowsToCopy(state);
  const { db, close } = openDb(env);
  // The events to copy, read once the step's last one (a reconnect's `resumed`) is in.
  let outbox: OutboxEvent[] = [];
  try {
    if (state.lostGrant) {
      // Only the grant that failed is marked lost: if the creator has reconnected since, their
      // new grant stands, and this test goes on with it.
      await markNeedsReauth(env, db, state.userId, state.lostGrant);
      state.owner = (await loadOwner(db, state.userId)) ?? state.owner;
      if (state.status === "needs_reauth" && state.owner.refreshTokenEnc !== state.lostGrant) {
        state.status = "running";
        state.step = "rotate";
        state.dueAt = Date.now();
        store.event("resumed", { reason: "reconnected" });
      }
      state.lostGrant = null;
    }
    state.record.status = state.status;
    state.record.nextRotationAt = state.step ? state.dueAt : null;
    outbox = store.outbox();
    // The test's row is gone (deleted while this object could not be told): nothing to run.
    if (!(await copyToRecord(db, state, state.record, changed, outbox, days))) return { kind: "gone" };
    // Each recorded verdict or pause mails its creator (once per event: see worker/notifications).
    await notify(env, ...(await rotatorNotifications(db, state, outbox)));
    if (!state.finishAnnounced && FINISHED.includes(state.status)) {
      await env.JOBS.send({ type: "test.finished", testId: state.testId, userId: state.userId });
      recordJobsEnqueued(env, ["test.finished"]);
      state.finishAnnounced = true;
    }
    state.owner = (await loadOwner(db, state.userId)) ?? state.owner;
    state.copyDue = false;
  } catch (err) {
    return { kind: "failed", error: err };
  } finally {
    waitUntil(close());
  }
  const lastSeq = outbox.at(-1)?.seq ?? 0;
  store.markCopied(changed, days, lastSeq, state);
  return { kind: "copied" };
}
