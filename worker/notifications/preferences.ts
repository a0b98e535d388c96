import { eq } from "drizzle-orm";
import { notificationPreferences, users } from "../../schema";
import type { Db } from "../db/client";
import { NotFound } from "../domain/errors";
import {
  defaultPreferences,
  type NotificationKind,
  type NotificationPreferences,
  notificationKinds,
} from "./kinds";

type Row = typeof notificationPreferences.$inferSelect;

const column = {
  test_winner: "testWinner",
  test_inconclusive: "testInconclusive",
  test_paused: "testPaused",
  payment_failed: "paymentFailed",
  weekly_digest: "weeklyDigest",
} as const satisfies Record<NotificationKind, keyof Row>;

const fromRow = (row: Row | undefined): NotificationPreferences =>
  row
    ? (Object.fromEntries(notificationKinds.map((k) => [k, row[column[k]]])) as NotificationPreferences)
    : { ...defaultPreferences };

const toColumns = (prefs: Partial<NotificationPreferences>) =>
  Object.fromEntries(
    notificationKinds.filter((k) => prefs[k] !== undefined).map((k) => [column[k], prefs[k] as boolean]),
  ) as Partial<Pick<Row, (typeof column)[NotificationKind]>>;

/** A creator's choices: their row, or the defaults when they never changed anything. */
export async function preferencesOf(db: Db, userId: string): Promise<NotificationPreferences> {
  const [row] = await db
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));
  return fromRow(row);
}

/** Changes the kinds named in `change` (the others keep their value) and answers the result. */
export async function changePreferences(
  db: Db,
  userId: string,
  change: Partial<NotificationPreferences>,
): Promise<NotificationPreferences> {
  const set = { ...toColumns(change), updatedAt: new Date() };
  const [row] = await db
    .insert(notificationPreferences)
    .values({ userId, ...toColumns({ ...defaultPreferences, ...change }) })
    .onConflictDoUpdate({ target: notificationPreferences.userId, set })
    .returning();
  return fromRow(row);
}

/** Turns one kind off, or every kind (`all`); NotFound when the account no longer exists. */
export async function unsubscribe(
  db: Db,
  userId: string,
  scope: NotificationKind | "all",
): Promise<NotificationPreferences> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw new NotFound("This account no longer exists: it gets no e-mails.");
  const kinds = scope === "all" ? notificationKinds : [scope];
  return changePreferences(db, userId, Object.fromEntries(kinds.map((k) => [k, false])));
}
