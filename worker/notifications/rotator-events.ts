import { and, asc, eq, gt, isNotNull, notInArray, sql } from "drizzle-orm";
import { events } from "../../schema";
import type { TestStatus } from "../../schema/test-statuses";
import type { Db } from "../db/client";
import type { NotificationEventInput } from "./events";

const DAY_MS = 86_400_000;

/** An outbox event of a TestRotator, as its mirror copies it to Postgres. */
export interface RotatorEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: number;
}

/** What the mirror knows of the test when it copies the events. */
export interface CopiedTest {
  testId: string;
  status: TestStatus;
  record: { decision: "collecting" | "winner" | "same" | "inconclusive" | null };
}

/** The events that end a test's finish step: its last title is set (or could not be). */
const FINISH_DONE = new Set(["title_applied", "title_restored", "title_not_set"]);
/** Events that do not end a wait for quota: the test has not moved on. */
const STILL_WAITING = ["quota_wait", "retry", "reach_pending"];

/**
 * The notifications of the events a TestRotator's mirror has just copied to Postgres (called
 * right after the copy commits, so a step's events are read here exactly when they are recorded;
 * a copy retried after a crash derives the same events again, and their keys let one mail out):
 * - a verdict, once the finish step has set the last title (so the mail can say whether the
 *   winner is live), and only for tests the engine decided (a `finished` event), not one the
 *   creator stopped or settled by hand;
 * - a drift (their own title edit) and a lost Google grant, each a pause;
 * - a wait for quota that has lasted more than a day, once per wait.
 */
export async function rotatorNotifications(
  db: Db,
  test: CopiedTest,
  copied: readonly RotatorEvent[],
): Promise<NotificationEventInput[]> {
  const out: NotificationEventInput[] = [];
  const { testId } = test;
  for (const e of copied) {
    if (e.type === "drift")
      out.push({ kind: "test_paused", testId, reason: "title_edited", occurrence: `${e.seq}` });
    if (e.type === "needs_reauth")
      out.push({ kind: "test_paused", testId, reason: "google_access_lost", occurrence: `${e.seq}` });
  }
  const finish = copied.find((e) => FINISH_DONE.has(e.type));
  const decision = test.record.decision;
  if (finish && test.status === "completed" && decision !== null && decision !== "collecting") {
    if (copied.some((e) => e.type === "finished") || (await hasEvent(db, testId, "finished")))
      out.push({ kind: decision === "winner" ? "test_winner" : "test_inconclusive", testId });
  }
  const wait = copied.findLast((e) => e.type === "quota_wait");
  if (wait) {
    const since = await waitingSince(db, testId);
    const retryAt = typeof wait.data.retryAt === "number" ? wait.data.retryAt : wait.at;
    if (since && retryAt - since.at >= DAY_MS)
      out.push({
        kind: "test_paused",
        testId,
        reason: "quota_wait",
        occurrence: `${since.seq}`,
        until: new Date(retryAt).toISOString(),
      });
  }
  return out;
}

async function hasEvent(db: Db, testId: string, type: string): Promise<boolean> {
  const rows = await db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.testId, testId), eq(events.type, type)))
    .limit(1);
  return rows.length > 0;
}

/**
 * The first `quota_wait` of the test's current wait (its number and time): the first one after
 * the last event that was not part of waiting. Read from Postgres, where the copy just put them.
 */
async function waitingSince(db: Db, testId: string): Promise<{ seq: number; at: number } | null> {
  const lastProgress = db
    .select({ seq: sql`coalesce(max(${events.rotatorSeq}), 0)` })
    .from(events)
    .where(
      and(eq(events.testId, testId), isNotNull(events.rotatorSeq), notInArray(events.type, STILL_WAITING)),
    );
  const [first] = await db
    .select({ seq: events.rotatorSeq, at: events.createdAt })
    .from(events)
    .where(
      and(
        eq(events.testId, testId),
        eq(events.type, "quota_wait"),
        gt(events.rotatorSeq, sql`(${lastProgress})`),
      ),
    )
    .orderBy(asc(events.rotatorSeq))
    .limit(1);
  return first?.seq == null ? null : { seq: first.seq, at: first.at.getTime() };
}
