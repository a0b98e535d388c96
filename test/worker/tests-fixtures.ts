import { env, SELF } from "cloudflare:test";
import { count, eq, inArray } from "drizzle-orm";
import * as schema from "../../schema";
import type { Plan } from "../../worker/auth/plans";
import type { Db } from "../../worker/db/client";
import type { SlotRecord } from "../../worker/title-tests/analysis";
import { forgetPrincipal } from "../../worker/users/principal";
import { APP, as, createGoogleAccount, signIn } from "./auth-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/**
 * Fixtures of the tests-API suites: creators signed in through the real OAuth routes, requests
 * as they would make them, and small named factories for what only the TestRotator writes
 * (statuses, slots, decisions) so routes can be tested without a running rotator.
 */

/** A signed-in creator with a channel and two videos ("First upload", "Second upload"). */
export interface TestCreator {
  id: string;
  session: string;
  channelId: string;
  videoIds: string[];
}

/** Creates and signs in a creator; `plan` set directly (as an admin would). */
export async function creator(db: Db, plan: Plan = "free"): Promise<TestCreator> {
  const account = await createGoogleAccount();
  const { session } = await signIn(account.email);
  const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
  if (!user) throw new Error("signed-in user not found");
  if (plan !== "free") {
    await db.update(schema.users).set({ plan }).where(eq(schema.users.id, user.id));
    await forgetPrincipal(env, user.id);
  }
  return { id: user.id, session, channelId: account.channelId, videoIds: account.videoIds };
}

/** Adds a video to a creator's channel in the emulator; `extra` sets more of it (`viewsPerDay`…). */
export async function addVideo(
  who: TestCreator,
  title: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const video = await emulatorAdmin<{ id: string }>("POST", "/videos", {
    channelId: who.channelId,
    title,
    categoryId: "22",
    ...extra,
  });
  return video.id;
}

/** A request to the API as `who` (session cookie and Origin); bodies are sent as JSON. */
export function call(who: TestCreator, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return SELF.fetch(`${APP}${path}`, as(who.session, init));
}

/** The JSON of a test as the API answers it (the fields the suites look at). */
export interface TestJson {
  id: string;
  videoId: string;
  videoTitleOriginal: string;
  thumbnailUrl: string;
  status: string;
  metric: string;
  intervalMinutes: number;
  autoApply: boolean;
  currentVariant: number | null;
  currentTitle: string | null;
  startsAt: string | null;
  endsAt: string | null;
  titles: { variant: number; text: string }[];
  events?: { type: string; data: Record<string, unknown> }[];
}

/** The JSON of an API error (the fields the suites look at). */
export interface ErrorJson {
  error: { code: string; message: string; requestId: string; details?: { issues: { path: string }[] } };
}

/** Reads a JSON body, failing with the body's text when the status is not the expected one. */
export async function expectJson<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Saves a draft test through the API (hourly, two challengers) and answers it. */
export async function createDraft(
  who: TestCreator,
  overrides: Record<string, unknown> = {},
): Promise<TestJson> {
  const res = await call(who, "POST", "/api/tests", {
    videoId: who.videoIds[0],
    titles: ["A sharper title", "A bolder title"],
    intervalMinutes: 60,
    draft: true,
    ...overrides,
  });
  return expectJson<TestJson>(res, 201);
}

/** Sets what only the rotator writes (status, decision, live variant…) on a test, directly. */
export async function setTest(
  db: Db,
  testId: string,
  values: Partial<typeof schema.tests.$inferInsert>,
): Promise<void> {
  await db.update(schema.tests).set(values).where(eq(schema.tests.id, testId));
}

/** Inserts slots as the rotator would have closed them (and at most one open one). */
export async function insertSlots(db: Db, testId: string, rows: SlotRecord[]): Promise<void> {
  await db.insert(schema.slots).values(rows.map((r) => ({ ...r, testId })));
}

/** Row counts of everything a test request could write, for one user: refused requests change none. */
export async function rowCounts(db: Db, userId: string) {
  const ids = (
    await db.select({ id: schema.tests.id }).from(schema.tests).where(eq(schema.tests.userId, userId))
  ).map((r) => r.id);
  const [titles] = ids.length
    ? await db.select({ n: count() }).from(schema.titles).where(inArray(schema.titles.testId, ids))
    : [{ n: 0 }];
  const [slots] = ids.length
    ? await db.select({ n: count() }).from(schema.slots).where(inArray(schema.slots.testId, ids))
    : [{ n: 0 }];
  const [events] = await db
    .select({ n: count() })
    .from(schema.events)
    .where(eq(schema.events.userId, userId));
  return {
    tests: ids.length,
    titles: titles?.n ?? 0,
    slots: slots?.n ?? 0,
    events: events?.n ?? 0,
  };
}

/** A test's row, straight from Postgres. */
export async function testRow(db: Db, testId: string) {
  const [row] = await db.select().from(schema.tests).where(eq(schema.tests.id, testId));
  return row;
}

/** Hours from `base`, as a Date: slot boundaries of hand-made schedules. */
export function hoursAfter(base: Date, hours: number): Date {
  return new Date(base.getTime() + hours * 3_600_000);
}
