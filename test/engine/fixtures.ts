import { env, runDurableObjectAlarm } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import type { TestRotator } from "../../durable-objects/test-rotator/test-rotator";
import { slots, tests, titles, users } from "../../schema";
import { openDb } from "../../worker/db/client";
import { createGoogleAccount, signIn } from "../worker/auth-fixtures";
import { emulatorAdmin, type LoggedCall, unique } from "../worker/youtube-fixtures";

/**
 * Fixtures of the engine tests: a creator signed in through the app, a video in the emulator with
 * steady traffic and known title CTRs, a test row as the API writes it, and a driver that moves the
 * emulator's clock one slot and runs the rotator's alarm (`runDurableObjectAlarm`, no sleeping).
 */

export { emulatorAdmin, unique };

export const HOUR = 3_600_000;

/** A signed-in creator (plan authority: premium quota) with one video of the given traffic. */
export async function creatorWithVideo(options: { viewsPerDay?: number; original?: string } = {}) {
  const account = await createGoogleAccount();
  await signIn(account.email);
  const original = options.original ?? `Original ${unique("title")}`;
  const video = await emulatorAdmin<{ id: string }>("POST", "/videos", {
    channelId: account.channelId,
    title: original,
    description: "A description the test must never wipe",
    tags: ["kitchen", "test"],
    categoryId: "26",
    viewsPerDay: options.viewsPerDay ?? 24_000,
    publishedAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
  });
  const { db, close } = openDb(env);
  try {
    const [user] = await db
      .update(users)
      .set({ plan: "authority" })
      .where(eq(users.email, account.email))
      .returning({ id: users.id });
    if (!user) throw new Error("the creator did not sign in");
    return { ...account, userId: user.id, videoId: video.id, original };
  } finally {
    await close();
  }
}

/** Sets the hidden CTR of each title of a video (from the next simulated hour on). */
export async function setCtrs(videoId: string, ctrs: Record<string, number>): Promise<void> {
  for (const [title, ctr] of Object.entries(ctrs))
    await emulatorAdmin("PUT", "/ctr", { videoId, title, ctr });
}

/** A scheduled test as POST /api/tests writes it: variant 0 is the live title. */
export async function scheduledTest(
  creator: { userId: string; videoId: string; original: string },
  challengers: string[],
  options: {
    intervalMinutes?: number;
    endsInHours?: number;
    startsInHours?: number;
    autoApply?: boolean;
    metric?: "views" | "ctr" | "watch_time";
  } = {},
): Promise<string> {
  const { db, close } = openDb(env);
  try {
    const [test] = await db
      .insert(tests)
      .values({
        userId: creator.userId,
        videoId: creator.videoId,
        videoTitleOriginal: creator.original,
        status: "scheduled",
        intervalMinutes: options.intervalMinutes ?? 60,
        metric: options.metric ?? "views",
        autoApply: options.autoApply ?? true,
        startsAt: new Date(Date.now() + (options.startsInHours ?? 0) * HOUR),
        endsAt: new Date(
          Date.now() + ((options.startsInHours ?? 0) + (options.endsInHours ?? 14 * 24)) * HOUR,
        ),
      })
      .returning({ id: tests.id });
    if (!test) throw new Error("no test row");
    await db
      .insert(titles)
      .values(
        [creator.original, ...challengers].map((text, variant) => ({ testId: test.id, variant, text })),
      );
    return test.id;
  } finally {
    await close();
  }
}

/** The test's rotator stub. */
export function rotator(testId: string): DurableObjectStub<TestRotator> {
  return testRotator(env, testId);
}

/** Moves the emulator's clock forward (views accrue for that long). */
export async function advance(ms: number): Promise<void> {
  await emulatorAdmin("PUT", "/clock", { advanceSeconds: Math.round(ms / 1000) });
}

/** The emulator's simulated now (ms). */
export async function emulatorNow(): Promise<number> {
  return (await emulatorAdmin<{ nowMs: number }>("GET", "/clock")).nowMs;
}

/**
 * Runs the armed step (if any) and answers whether one ran here. A step due now may already be
 * running on its own alarm: `view()` waits for it, so the caller always sees it finished.
 */
export async function step(testId: string): Promise<boolean> {
  const ran = await runDurableObjectAlarm(rotator(testId));
  await rotator(testId).view();
  return ran;
}

/** One boundary: the emulator lives through one slot, then the rotator's alarm runs. */
export async function slot(testId: string, intervalMs = HOUR): Promise<boolean> {
  await advance(intervalMs);
  return step(testId);
}

/** The test's row and slots in Postgres. */
export async function record(testId: string) {
  const { db, close } = openDb(env);
  try {
    const [test] = await db.select().from(tests).where(eq(tests.id, testId));
    const rows = await db.select().from(slots).where(eq(slots.testId, testId)).orderBy(slots.slotIndex);
    return { test, slots: rows };
  } finally {
    await close();
  }
}

/** Every `videos.update` the emulator answered for a video. */
export async function updatesOf(videoId: string): Promise<LoggedCall[]> {
  const { calls } = await emulatorAdmin<{ calls: LoggedCall[] }>(
    "GET",
    "/calls?method=videos.update&limit=10000",
  );
  return calls.filter((c) => c.videoId === videoId);
}

/** The video's title timeline and statistics in the emulator. */
export async function timeline(videoId: string) {
  return emulatorAdmin<{
    titles: { title: string; source: string }[];
    statistics: { viewCount: number };
  }>("GET", `/videos/${videoId}/timeline`);
}

/** The video's live snippet, read as anyone would (API key). */
export async function liveSnippet(
  videoId: string,
): Promise<{ title: string; description: string; tags?: string[] }> {
  const url = new URL(`${env.GOOGLE_APIS_URL}/youtube/v3/videos`);
  url.searchParams.set("part", "snippet");
  url.searchParams.set("id", videoId);
  url.searchParams.set("key", env.YOUTUBE_API_KEY_LOCAL_1 ?? "");
  const body = (await (await fetch(url)).json()) as {
    items: { snippet: { title: string; description: string; tags?: string[] } }[];
  };
  const item = body.items[0];
  if (!item) throw new Error(`video ${videoId} is not visible`);
  return item.snippet;
}

/** Checks the invariants every run must keep: one slot per index, views chained, nothing counted twice. */
export function slotChain(rows: { slotIndex: number; viewsStart: number; viewsEnd: number | null }[]) {
  const gaps: string[] = [];
  rows.forEach((row, i) => {
    if (row.slotIndex !== i) gaps.push(`slot ${i} has index ${row.slotIndex}`);
    const next = rows[i + 1];
    if (next && row.viewsEnd !== next.viewsStart)
      gaps.push(`slot ${i} ends at ${row.viewsEnd}, ${i + 1} starts at ${next.viewsStart}`);
  });
  return gaps;
}

/** The creator's account status (active, or needs_reauth when Google's grant is lost). */
export async function userStatus(userId: string): Promise<string | undefined> {
  const { db, close } = openDb(env);
  try {
    const [user] = await db.select({ status: users.status }).from(users).where(eq(users.id, userId));
    return user?.status;
  } finally {
    await close();
  }
}
