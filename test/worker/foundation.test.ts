import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { ROTATOR_MIGRATIONS } from "../../durable-objects/test-rotator/schema";
import type { TestRotator } from "../../durable-objects/test-rotator/test-rotator";
import * as schema from "../../schema";
import { CRON } from "../../worker/cron";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import { DEAD_LETTER_QUEUE } from "../../worker/jobs/consumer";
import { type JobMessage, retryDelaySeconds } from "../../worker/jobs/messages";

const { db, close } = openDb(env);
afterAll(() => close());

async function createUser(email: string) {
  const [user] = await db
    .insert(schema.users)
    .values({ googleSub: `sub-${email}`, email, name: email.split("@")[0] })
    .returning();
  if (!user) throw new Error("no user");
  return user;
}

describe("database through the Neon driver", () => {
  it("writes and reads every table of the schema, with cascades on user deletion", async () => {
    const user = await createUser("round-trip@example.com");
    const [test] = await db
      .insert(schema.tests)
      .values({ userId: user.id, videoId: "vid-rt", videoTitleOriginal: "Original", intervalMinutes: 60 })
      .returning();
    if (!test) throw new Error("no test");
    const [title] = await db
      .insert(schema.titles)
      .values([
        { testId: test.id, variant: 0, text: "Original" },
        { testId: test.id, variant: 1, text: "Better" },
      ])
      .returning();
    if (!title) throw new Error("no title");
    await db.insert(schema.slots).values({
      testId: test.id,
      slotIndex: 0,
      variant: 0,
      block: 0,
      startedAt: new Date(),
      viewsStart: 10,
      viewsEnd: 25,
    });
    await db
      .insert(schema.analyticsPolls)
      .values({ titleId: title.id, testId: test.id, kind: "poll", viewCount: 25 });
    await db
      .insert(schema.events)
      .values({ userId: user.id, testId: test.id, type: "test.created", data: { a: 1 } });
    await db.insert(schema.alerts).values({ kind: "test", severity: "warning", message: "m" });
    await db.insert(schema.userStats).values({ userId: user.id });
    await db
      .insert(schema.deadLetters)
      .values({ queue: "q", messageId: "m-rt", jobType: "x", body: { a: 1 }, attempts: 1 });

    const [event] = await db.select().from(schema.events).where(eq(schema.events.testId, test.id));
    expect(event?.data).toEqual({ a: 1 });

    await db.delete(schema.users).where(eq(schema.users.id, user.id));
    for (const table of [
      schema.tests,
      schema.titles,
      schema.slots,
      schema.analyticsPolls,
      schema.events,
      schema.userStats,
    ]) {
      const rows = await db.select().from(table);
      expect(
        rows.filter((row) => JSON.stringify(row).includes(user.id) || JSON.stringify(row).includes(test.id)),
      ).toEqual([]);
    }
  });

  it("refuses a second live test of the same video", async () => {
    const user = await createUser("one-live@example.com");
    const live = {
      userId: user.id,
      videoId: "vid-live",
      videoTitleOriginal: "T",
      intervalMinutes: 60,
      status: "running" as const,
    };
    await db.insert(schema.tests).values(live);
    await expect(db.insert(schema.tests).values(live)).rejects.toThrow();
    // A finished test of the same video is history, not a conflict.
    await db.insert(schema.tests).values({ ...live, status: "completed" });
  });
});

describe("a connection Postgres drops", () => {
  it("while a client is checked out is heard, so it fails its query, not the invocation", async () => {
    const { db: mine, close: closeMine } = openDb(env);
    try {
      // The pool listens to idle clients only; an `error` event nobody hears is an uncaught
      // exception (seen in the scheduler benchmark as "Unhandled error. (Connection terminated
      // unexpectedly)"). Every checked-out client must have a listener of its own.
      const client = await mine.$primary.$client.connect();
      try {
        expect(client.listenerCount("error")).toBeGreaterThan(0);
      } finally {
        client.release();
      }
    } finally {
      await closeMine();
    }
  });
});

describe("Durable Objects", () => {
  it("runs a TestRotator alarm that has no test as a no-op", async () => {
    const stub = env.TEST_ROTATOR.get(env.TEST_ROTATOR.idFromName("foundation-alarm"));
    await runInDurableObject(stub, (_instance: TestRotator, state) =>
      state.storage.setAlarm(Date.now() + 60_000),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.history()).toEqual([]);
    expect(await stub.view()).toBeNull();
    // Nothing is armed any more: a second run has no alarm to fire.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("keeps its SQLite schema version across instances", async () => {
    const stub = env.TEST_ROTATOR.get(env.TEST_ROTATOR.idFromName("foundation-schema"));
    const version = await runInDurableObject(
      stub,
      (_instance: TestRotator, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").one().version,
    );
    // Every migration applied once, in order: the stored version is the number of migrations.
    expect(version).toBe(ROTATOR_MIGRATIONS.length);
  });
});

describe("KV", () => {
  it("stores cache entries with a time to live", async () => {
    await env.CACHE.put("foundation:key", "value", { expirationTtl: 300 });
    expect(await env.CACHE.get("foundation:key")).toBe("value");
  });
});

describe("queue consumer", () => {
  it("acks a job that succeeds and marks its alert notified", async () => {
    const [alert] = await db
      .insert(schema.alerts)
      .values({ kind: "queue-ok", severity: "warning", message: "m" })
      .returning();
    if (!alert) throw new Error("no alert");
    const batch = createMessageBatch<JobMessage>("ttp-jobs", [
      { id: "job-ok", timestamp: new Date(), attempts: 1, body: { type: "alert.notify", alertId: alert.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["job-ok"]);
    const [after] = await db.select().from(schema.alerts).where(eq(schema.alerts.id, alert.id));
    expect(after?.notifiedAt).toBeInstanceOf(Date);
  });

  it("retries a failing job with backoff that grows with the attempt", async () => {
    const [alert] = await db
      .insert(schema.alerts)
      .values({ kind: "queue-fail", severity: "warning", message: "m" })
      .returning();
    if (!alert) throw new Error("no alert");
    const failingEnv = { ...env, ALERT_WEBHOOK_URL: "http://127.0.0.1:9/unreachable" };
    const batch = createMessageBatch<JobMessage>("ttp-jobs", [
      {
        id: "job-fail",
        timestamp: new Date(),
        attempts: 3,
        body: { type: "alert.notify", alertId: alert.id },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, failingEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([{ msgId: "job-fail" }]);
    expect(result.explicitAcks).toEqual([]);
    const [after] = await db.select().from(schema.alerts).where(eq(schema.alerts.id, alert.id));
    expect(after?.notifiedAt).toBeNull();
  });

  it("backs off exponentially per attempt, capped at an hour", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelaySeconds("alert.notify", attempt))).toEqual([
      30, 60, 120, 240,
    ]);
    expect(retryDelaySeconds("alert.notify", 20)).toBe(3_600);
  });

  it("stores dead letters in Postgres once, however often they are delivered", async () => {
    const body: JobMessage = { type: "alert.notify", alertId: 999_999 };
    for (let delivery = 0; delivery < 2; delivery++) {
      const batch = createMessageBatch<JobMessage>(DEAD_LETTER_QUEUE, [
        { id: "dead-1", timestamp: new Date(), attempts: 6, body },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dead-1"]);
    }
    const rows = await db.select().from(schema.deadLetters).where(eq(schema.deadLetters.messageId, "dead-1"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ jobType: "alert.notify", attempts: 6, body });
  });
});

describe("cron", () => {
  it("rolls up user statistics on the hourly trigger", async () => {
    const user = await createUser("rollup@example.com");
    await db.insert(schema.tests).values([
      {
        userId: user.id,
        videoId: "r1",
        videoTitleOriginal: "a",
        intervalMinutes: 60,
        status: "completed",
        decision: "winner",
        winnerLift: 0.2,
        finishedAt: new Date(),
      },
      {
        userId: user.id,
        videoId: "r2",
        videoTitleOriginal: "b",
        intervalMinutes: 60,
        status: "completed",
        decision: "winner",
        winnerLift: 0.4,
        finishedAt: new Date(),
      },
      { userId: user.id, videoId: "r3", videoTitleOriginal: "c", intervalMinutes: 60, status: "running" },
      { userId: user.id, videoId: "r4", videoTitleOriginal: "d", intervalMinutes: 60, status: "draft" },
    ]);
    const controller = createScheduledController({ scheduledTime: new Date(), cron: CRON.hourly });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    const [stats] = await db.select().from(schema.userStats).where(eq(schema.userStats.userId, user.id));
    expect(stats).toMatchObject({ testsRun: 3, testsActive: 1, testsWon: 2, testsSame: 0 });
    expect(stats?.averageWinningLift).toBeCloseTo(0.3, 10);
  });
});

describe("static assets", () => {
  it("serves the SPA's index for client-side routes, and JSON for unknown API routes", async () => {
    const page = await SELF.fetch("https://app.test/tests/some-id");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<div id="root">');
    const api = await SELF.fetch("https://app.test/api/tests/some-id");
    expect(api.headers.get("content-type")).toContain("application/json");
  });
});
