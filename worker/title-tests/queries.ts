import { and, asc, count, eq, inArray } from "drizzle-orm";
import { events, liveTestStatuses, slots, type TestStatus, tests, titles, users } from "../../schema";
import type { Db } from "../db/client";
import { Conflict } from "../domain/errors";

/** A test's row as the routes read it. */
export type TestRow = typeof tests.$inferSelect;
/** A new test's columns, without the ones the database fills. */
export type NewTest = Omit<typeof tests.$inferInsert, "id" | "createdAt" | "updatedAt">;
/** A title variant as the API shows it. */
export interface TitleVariant {
  variant: number;
  text: string;
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const LIVE: readonly TestStatus[] = liveTestStatuses;

/**
 * Whether a failed query hit the one-live-test-per-video index. drizzle wraps the driver's error
 * (`DrizzleQueryError`), whose `cause` carries Postgres' SQLSTATE and the constraint's name.
 */
export function isOneLivePerVideoViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === "23505") return constraint === undefined || constraint === "tests_one_live_per_video_idx";
  }
  return false;
}

const ONE_LIVE_PER_VIDEO = "This video already has a live test: stop it before starting another.";

/**
 * Refuses when the user already has as many live tests as the plan allows. Locks the user's row
 * first, so that two concurrent creates or starts are counted one after the other.
 */
async function checkLiveLimit(tx: Tx, userId: string, limit: number | null): Promise<void> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  if (limit === null) return;
  const [row] = await tx
    .select({ live: count() })
    .from(tests)
    .where(and(eq(tests.userId, userId), inArray(tests.status, LIVE)));
  if ((row?.live ?? 0) >= limit) {
    throw new Conflict(
      `Your plan allows ${limit} live test${limit === 1 ? "" : "s"} at once: stop or finish one first.`,
    );
  }
}

/**
 * Inserts a test with its titles and a `created` event in one short transaction. A non-draft
 * test counts against the plan's live tests, and the database refuses a second live test on
 * the video (409).
 */
export async function insertTest(
  db: Db,
  test: NewTest,
  variants: readonly string[],
  liveLimit: number | null,
): Promise<TestRow> {
  try {
    return await db.transaction(async (tx) => {
      if (test.status !== "draft") await checkLiveLimit(tx, test.userId, liveLimit);
      const [row] = await tx.insert(tests).values(test).returning();
      if (!row) throw new Error("insert of a test returned no row");
      await tx.insert(titles).values(variants.map((text, variant) => ({ testId: row.id, variant, text })));
      await tx.insert(events).values({
        userId: test.userId,
        testId: row.id,
        type: "created",
        data: { status: row.status, variants: variants.length },
      });
      return row;
    });
  } catch (err) {
    if (isOneLivePerVideoViolation(err)) throw new Conflict(ONE_LIVE_PER_VIDEO);
    throw err;
  }
}

/**
 * Draft → scheduled with its start and end fixed, counted against the plan (as `insertTest`).
 * Answers false when the test was no longer a draft (a concurrent start won).
 */
export async function scheduleDraft(
  db: Db,
  userId: string,
  testId: string,
  window: { startsAt: Date; endsAt: Date },
  liveLimit: number | null,
): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      await checkLiveLimit(tx, userId, liveLimit);
      const updated = await tx
        .update(tests)
        .set({ status: "scheduled", ...window, updatedAt: new Date() })
        .where(and(eq(tests.id, testId), eq(tests.userId, userId), eq(tests.status, "draft")))
        .returning({ id: tests.id });
      return updated.length > 0;
    });
  } catch (err) {
    if (isOneLivePerVideoViolation(err)) throw new Conflict(ONE_LIVE_PER_VIDEO);
    throw err;
  }
}

/** Scheduled → draft again, when the rotator would not start the test. */
export async function revertToDraft(db: Db, testId: string): Promise<void> {
  await db
    .update(tests)
    .set({ status: "draft", updatedAt: new Date() })
    .where(and(eq(tests.id, testId), eq(tests.status, "scheduled")));
}

/** The user's test (from the primary: callers act on what they read), or undefined — also for another user's. */
export async function findTest(db: Db, userId: string, testId: string): Promise<TestRow | undefined> {
  const [row] = await db.$primary
    .select()
    .from(tests)
    .where(and(eq(tests.id, testId), eq(tests.userId, userId)));
  return row;
}

/** A test's variants, in order. */
export async function titlesOf(db: Db, testId: string): Promise<TitleVariant[]> {
  return db.$primary
    .select({ variant: titles.variant, text: titles.text })
    .from(titles)
    .where(eq(titles.testId, testId))
    .orderBy(asc(titles.variant));
}

/** Appends an event to a test's audit trail. */
export async function appendEvent(
  db: Db,
  event: { userId: string; testId: string; type: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(events).values({ ...event, data: event.data ?? {} });
}

/**
 * Changes a test's editable fields, only while its status is one of `allowed` (so a status that
 * changed since the route read it refuses the edit). Titles are renamed in the same transaction.
 * Answers false when the status no longer allowed it.
 */
export async function editTest(
  db: Db,
  testId: string,
  allowed: readonly TestStatus[],
  change: { endsAt?: Date; autoApply?: boolean; titles?: readonly TitleVariant[] },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(tests)
      .set({
        updatedAt: new Date(),
        ...(change.endsAt ? { endsAt: change.endsAt } : {}),
        ...(change.autoApply !== undefined ? { autoApply: change.autoApply } : {}),
      })
      .where(and(eq(tests.id, testId), inArray(tests.status, allowed)))
      .returning({ id: tests.id });
    if (updated.length === 0) return false;
    for (const { variant, text } of change.titles ?? []) {
      await tx
        .update(titles)
        .set({ text })
        .where(and(eq(titles.testId, testId), eq(titles.variant, variant)));
    }
    return true;
  });
}

/** Deletes a test (titles, slots, polls and events cascade) if its status is still one of `allowed`. */
export async function deleteTest(db: Db, testId: string, allowed: readonly TestStatus[]): Promise<boolean> {
  const deleted = await db
    .delete(tests)
    .where(and(eq(tests.id, testId), inArray(tests.status, allowed)))
    .returning({ id: tests.id });
  return deleted.length > 0;
}

/** Deletes a test whatever its status: undoing a create the rotator would not start. */
export async function discardTest(db: Db, testId: string): Promise<void> {
  await db.delete(tests).where(eq(tests.id, testId));
}

/** The columns of a slot as the analysis and the charts read them. */
const slotColumns = {
  slotIndex: slots.slotIndex,
  variant: slots.variant,
  block: slots.block,
  startedAt: slots.startedAt,
  endedAt: slots.endedAt,
  viewsStart: slots.viewsStart,
  viewsEnd: slots.viewsEnd,
};

/** A test's slots in order, as the analysis and the charts read them. */
export async function slotsOf(db: Db, testId: string) {
  return db.$primary
    .select(slotColumns)
    .from(slots)
    .where(eq(slots.testId, testId))
    .orderBy(asc(slots.slotIndex));
}
