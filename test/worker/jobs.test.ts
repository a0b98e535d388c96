import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { createGoogleAccount, signIn } from "./auth-fixtures";
import { callLog } from "./youtube-fixtures";

const { db, close } = openDb(env);
afterAll(() => close());

/** Delivers `body` to the consumer `times` times (a redelivery is the same message again). */
async function deliver(body: JobMessage, times = 1) {
  const results = [];
  for (let attempt = 1; attempt <= times; attempt++) {
    const batch = createMessageBatch<JobMessage>("ttp-jobs", [
      { id: `job-${crypto.randomUUID()}`, timestamp: new Date(), attempts: attempt, body },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    results.push(await getQueueResult(batch, ctx));
  }
  return results;
}

async function signedInUser() {
  const account = await createGoogleAccount();
  await signIn(account.email);
  const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
  if (!user) throw new Error("no user");
  return { account, user };
}

describe("test.finished", () => {
  it("rolls up its owner's dashboard figures at once, and a redelivery changes nothing", async () => {
    const { user } = await signedInUser();
    const [test] = await db
      .insert(schema.tests)
      .values({
        userId: user.id,
        videoId: `v-${crypto.randomUUID()}`,
        videoTitleOriginal: "Original",
        status: "completed",
        intervalMinutes: 60,
        decision: "winner",
        winnerVariant: 1,
        winnerLift: 0.25,
      })
      .returning();
    if (!test) throw new Error("no test");
    const job: JobMessage = { type: "test.finished", testId: test.id, userId: user.id };
    const [first] = await deliver(job);
    expect(first?.explicitAcks).toHaveLength(1);
    const [stats] = await db.select().from(schema.userStats).where(eq(schema.userStats.userId, user.id));
    expect(stats).toMatchObject({ testsRun: 1, testsWon: 1, averageWinningLift: 0.25 });

    await deliver(job, 2);
    const [again] = await db.select().from(schema.userStats).where(eq(schema.userStats.userId, user.id));
    expect({ ...again, updatedAt: null }).toEqual({ ...stats, updatedAt: null });
  });
});

describe("channel.sync", () => {
  it("stores the channel's title as YouTube has it now, and a redelivery writes the same", async () => {
    const { account, user } = await signedInUser();
    await db.update(schema.users).set({ channelTitle: "A stale title" }).where(eq(schema.users.id, user.id));
    const results = await deliver({ type: "channel.sync", userId: user.id }, 2);
    expect(results.every((r) => r.explicitAcks.length === 1)).toBe(true);
    const [after] = await db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(after?.channelTitle).toBe(`Channel of ${account.email}`);
  });

  it("leaves a creator who must reconnect alone: no call to Google, no retry", async () => {
    const { account, user } = await signedInUser();
    await db.update(schema.users).set({ status: "needs_reauth" }).where(eq(schema.users.id, user.id));
    const theirs = async () =>
      (await callLog("local-1")).filter((c) => c.method === "channels.list" && c.sub === account.sub).length;
    const before = await theirs();
    const [result] = await deliver({ type: "channel.sync", userId: user.id });
    expect(result?.explicitAcks).toHaveLength(1);
    expect(result?.retryMessages).toHaveLength(0);
    expect(await theirs()).toBe(before);
  });
});
