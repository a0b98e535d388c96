import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { OPS_ALERT_KINDS } from "../../worker/alerts/conditions";
import { evaluateOpsAlerts } from "../../worker/alerts/evaluate";
import { CRON } from "../../worker/cron";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { MetricsBatch } from "../../worker/metrics/batch";
import { metricsShards } from "../../worker/metrics/record";
import { unique } from "./youtube-fixtures";

const { db, close } = openDb(env);
afterAll(() => close());

const MINUTE = 60_000;

/**
 * The env of these tests: JOBS captures what is sent instead of queueing it, so each test sees
 * exactly the jobs an evaluation (or a consumed job) produced and consumes them itself. Times lie
 * in 2035 and later, after anything another test file records, so their windows hold only this
 * file's data.
 */
function capturingEnv() {
  const sent: JobMessage[] = [];
  const queue = {
    send: async (body: JobMessage) => void sent.push(body),
    sendBatch: async (messages: { body: JobMessage }[]) => void sent.push(...messages.map((m) => m.body)),
  };
  return { sent, env: { ...env, JOBS: queue as unknown as Queue } };
}

type Capture = ReturnType<typeof capturingEnv>;

/** Delivers jobs to the Worker's consumer, as the queue would; every one must be acked. */
async function consume(capture: Capture, jobs: JobMessage[]) {
  const batch = createMessageBatch<JobMessage>(
    "ttp-jobs",
    jobs.map((body, i) => ({ id: `${unique("ops")}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, capture.env);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks).toHaveLength(jobs.length);
}

/** Takes the jobs sent so far about one kind + subject (alert.notify jobs are matched by alert id). */
function take(capture: Capture, kind: string, subject: string, alertIds: number[] = []): JobMessage[] {
  const mine = capture.sent.filter((job) => {
    if (job.type === "alert.notify") return alertIds.includes(job.alertId);
    return (
      (job.type === "alert.raise" || job.type === "alert.clear") &&
      job.kind === kind &&
      job.subject === subject
    );
  });
  capture.sent.splice(0, capture.sent.length, ...capture.sent.filter((job) => !mine.includes(job)));
  return mine;
}

function alertsOf(kind: string, subject: string) {
  return db.$primary
    .select()
    .from(schema.alerts)
    .where(and(eq(schema.alerts.kind, kind), eq(schema.alerts.subject, subject)))
    .orderBy(schema.alerts.id);
}

/**
 * Runs one alert's whole episode: the first evaluation raises (the consumer stores one open alert
 * and sends one notify), a second evaluation while the condition holds sends nothing, a
 * redelivered raise notifies nobody again, and once the condition ends the alert is cleared.
 */
async function expectRaisedOnce(
  capture: Capture,
  kind: string,
  subject: string,
  evaluate: () => Promise<unknown>,
) {
  await evaluate();
  const raised = take(capture, kind, subject);
  expect(raised).toEqual([expect.objectContaining({ type: "alert.raise", kind, subject })]);
  await consume(capture, raised);
  const [alert] = await alertsOf(kind, subject);
  if (!alert) throw new Error("no alert stored");
  expect(alert.clearedAt).toBeNull();
  const notify = take(capture, kind, subject, [alert.id]);
  expect(notify).toEqual([{ type: "alert.notify", alertId: alert.id }]);
  await consume(capture, notify);
  expect((await alertsOf(kind, subject))[0]?.notifiedAt).toBeInstanceOf(Date);

  await evaluate();
  expect(take(capture, kind, subject, [alert.id])).toEqual([]);
  await consume(capture, raised); // a redelivery of the first raise
  expect(take(capture, kind, subject, [alert.id])).toEqual([]);
  expect(await alertsOf(kind, subject)).toHaveLength(1);
  return alert;
}

async function expectCleared(
  capture: Capture,
  kind: string,
  subject: string,
  evaluate: () => Promise<unknown>,
) {
  await evaluate();
  const cleared = take(capture, kind, subject);
  expect(cleared).toEqual([{ type: "alert.clear", kind, subject }]);
  await consume(capture, cleared);
  const rows = await alertsOf(kind, subject);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.clearedAt).toBeInstanceOf(Date);
  await evaluate();
  expect(take(capture, kind, subject)).toEqual([]);
}

/** Records YouTube call tallies at `at`, spread over two shards (the alert sums them). */
async function recordCalls(at: number, calls: number, failed: number) {
  const [first, second] = [new MetricsBatch(), new MetricsBatch()];
  for (let i = 0; i < calls; i++) (i % 2 === 0 ? first : second).youtubeCall(at, i < failed);
  const [a, b] = metricsShards(env);
  await a?.record(first.data());
  await b?.record(second.data());
}

describe("ops alerts: YouTube error rate", () => {
  const kind = OPS_ALERT_KINDS.youtubeErrors;

  it("waits for 20 calls, raises once above 5 % failed over 15 minutes, and clears when the window is clean", async () => {
    const capture = capturingEnv();
    const t = Date.parse("2035-01-10T12:00:00Z");
    await recordCalls(t - 20 * MINUTE, 100, 100); // outside the window: ignored
    await recordCalls(t - 10 * MINUTE, 19, 19);
    await evaluateOpsAlerts(capture.env, db, t);
    expect(take(capture, kind, "youtube")).toEqual([]); // 19 calls: too few to judge

    await recordCalls(t - 5 * MINUTE, 21, 0); // 40 calls, 19 failed: 47.5 %
    const alert = await expectRaisedOnce(capture, kind, "youtube", () =>
      evaluateOpsAlerts(capture.env, db, t),
    );
    expect(alert.data).toMatchObject({ calls: 40, errors: 19 });
    expect(alert.severity).toBe("critical");

    // Fifteen minutes on, the failures have left the window; 100 good calls with 5 failures is 5 %, not above.
    await recordCalls(t + 14 * MINUTE, 100, 5);
    await expectCleared(capture, kind, "youtube", () => evaluateOpsAlerts(capture.env, db, t + 16 * MINUTE));
  });
});

describe("ops alerts: dead letters", () => {
  const kind = OPS_ALERT_KINDS.deadLetters;

  it("raises once per burst of dead letters on a queue and clears an hour after the last one", async () => {
    const capture = capturingEnv();
    const queue = unique("dead-queue");
    const t = Date.parse("2035-02-10T12:00:00Z");
    const deadLetter = (at: number) =>
      db.insert(schema.deadLetters).values({
        queue,
        messageId: unique("dead"),
        jobType: "alert.notify",
        body: { type: "alert.notify", alertId: 0 },
        attempts: 6,
        receivedAt: new Date(at),
      });
    await evaluateOpsAlerts(capture.env, db, t);
    expect(take(capture, kind, queue)).toEqual([]);

    await deadLetter(t + MINUTE);
    const alert = await expectRaisedOnce(capture, kind, queue, () =>
      evaluateOpsAlerts(capture.env, db, t + 5 * MINUTE),
    );
    expect(alert.message).toContain(queue);

    // Another one in the same burst: still one alert, no second notification.
    await deadLetter(t + 30 * MINUTE);
    await evaluateOpsAlerts(capture.env, db, t + 35 * MINUTE);
    expect(take(capture, kind, queue)).toEqual([]);
    await evaluateOpsAlerts(capture.env, db, t + 80 * MINUTE); // 50 min after the last: still open
    expect(take(capture, kind, queue)).toEqual([]);

    await expectCleared(capture, kind, queue, () => evaluateOpsAlerts(capture.env, db, t + 95 * MINUTE));
    await db.delete(schema.deadLetters).where(eq(schema.deadLetters.queue, queue));
  });
});

describe("ops alerts: stuck tests", () => {
  const kind = OPS_ALERT_KINDS.stuckTest;

  it("raises once for a running test more than two intervals past its boundary (from the cron) and clears when it moves on", async () => {
    const capture = capturingEnv();
    const [user] = await db
      .insert(schema.users)
      .values({ googleSub: unique("sub"), email: `${unique("stuck")}@example.com`, name: "Stuck" })
      .returning();
    if (!user) throw new Error("no user");
    const boundary = Date.parse("2035-03-10T12:00:00Z");
    const [test] = await db
      .insert(schema.tests)
      .values({
        userId: user.id,
        videoId: unique("vid"),
        videoTitleOriginal: "Original",
        status: "running",
        intervalMinutes: 60,
        nextRotationAt: new Date(boundary),
      })
      .returning();
    if (!test) throw new Error("no test");

    // Two intervals late is not yet stuck.
    await evaluateOpsAlerts(capture.env, db, boundary + 120 * MINUTE);
    expect(take(capture, kind, test.id)).toEqual([]);

    // The five-minute cron evaluates at its scheduled time.
    const cron = async (at: number) => {
      const ctx = createExecutionContext();
      await worker.scheduled(
        createScheduledController({ cron: CRON.frequent, scheduledTime: new Date(at) }),
        capture.env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
    };
    const alert = await expectRaisedOnce(capture, kind, test.id, () => cron(boundary + 125 * MINUTE));
    expect(alert.data).toMatchObject({ episode: new Date(boundary).toISOString(), intervalMinutes: 60 });

    // The rotator moved on: its next boundary is ahead.
    await db
      .update(schema.tests)
      .set({ nextRotationAt: new Date(boundary + 180 * MINUTE) })
      .where(eq(schema.tests.id, test.id));
    await expectCleared(capture, kind, test.id, () => cron(boundary + 135 * MINUTE));
    await db.delete(schema.users).where(eq(schema.users.id, user.id));
  });
});
