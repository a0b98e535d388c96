import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runInDurableObject,
} from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import { raiseAlert } from "../../worker/jobs/alerts";
import type { AlertRaiseJob, JobMessage } from "../../worker/jobs/messages";
import { at, expectGrant, freshLedger, projectConfig } from "./quota-fixtures";

const { db, close } = openDb(env);
afterAll(() => close());

type Ledger = ReturnType<typeof freshLedger>;

/** The jobs a ledger recorded after `afterSeq`, and the last seq seen. */
async function jobsOf(ledger: Ledger, afterSeq = 0) {
  const rows = await runInDurableObject(ledger, (instance) => instance.jobs(afterSeq));
  return { jobs: rows.map((row) => row.job), last: rows.at(-1)?.seq ?? afterSeq };
}

/** Runs jobs through the Worker's queue consumer, as the JOBS queue would deliver them. */
async function consume(jobs: JobMessage[]) {
  const batch = createMessageBatch<JobMessage>(
    "ttp-jobs",
    jobs.map((body, i) => ({
      id: `quota-job-${crypto.randomUUID()}-${i}`,
      timestamp: new Date(),
      attempts: 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
  expect(result.explicitAcks).toHaveLength(jobs.length);
}

/** Alerts of one subject in Postgres, oldest first. */
function alertsOf(subject: string) {
  return db.$primary
    .select()
    .from(schema.alerts)
    .where(eq(schema.alerts.subject, subject))
    .orderBy(schema.alerts.id);
}

// Quota alerts in this file use days in 2030, later than any other test's, so that background
// deliveries of other tests' jobs (older episodes) never replace these open alerts.
describe("QuotaLedger alerts", () => {
  it("raises 80 % and 95 % once per project per day, stores one open alert each, and clears them at reset", async () => {
    const ledger = freshLedger("alerts");
    const day1 = at("2030-04-10T18:00:00Z");
    await ledger.upsertProject(projectConfig("alerts-p1", 1_000), day1);
    const reserve = (units: number, t = day1) =>
      ledger.reserve({ units, priority: "premium", project: "alerts-p1" }, t);

    expectGrant(await reserve(790));
    expect((await jobsOf(ledger)).jobs).toEqual([]);
    expectGrant(await reserve(10)); // 800 = 80 %
    let seen = await jobsOf(ledger);
    expect(seen.jobs).toEqual([
      expect.objectContaining({
        type: "alert.raise",
        kind: "quota.80",
        subject: "alerts-p1",
        severity: "warning",
        episode: "2030-04-10",
      }),
    ]);
    const cheap = expectGrant(await reserve(149));
    expect((await jobsOf(ledger, seen.last)).jobs).toEqual([]);
    expectGrant(await reserve(1)); // 950 = 95 %
    const afterFirst = seen.last;
    seen = await jobsOf(ledger, afterFirst);
    expect(seen.jobs).toEqual([
      expect.objectContaining({
        type: "alert.raise",
        kind: "quota.95",
        subject: "alerts-p1",
        severity: "critical",
        episode: "2030-04-10",
      }),
    ]);

    // Dipping below 95 % and crossing again, even across a restart, raises nothing new.
    await ledger.settle(cheap.grantId, { units: 1, outcome: "ok" }, day1);
    await expect(runInDurableObject(ledger, (_i, state) => state.abort("restart"))).rejects.toThrow();
    const revived = env.QUOTA_LEDGER.get(ledger.id);
    expectGrant(await revived.reserve({ units: 148, priority: "premium", project: "alerts-p1" }, day1));
    expect((await jobsOf(revived, seen.last)).jobs).toEqual([]);

    // The consumer stores one open alert per kind, even when a job is delivered twice.
    const raised = (await jobsOf(revived)).jobs;
    await consume(raised);
    await consume(raised);
    let rows = await alertsOf("alerts-p1");
    expect(rows.map((r) => [r.kind, r.severity, r.data.episode, r.clearedAt])).toEqual([
      ["quota.80", "warning", "2030-04-10", null],
      ["quota.95", "critical", "2030-04-10", null],
    ]);
    expect(rows[0]?.message).toContain("alerts-p1");

    // At midnight Pacific the day's alerts are cleared.
    const day2 = at("2030-04-11T07:00:00Z");
    const beforeReset = (await jobsOf(revived)).last;
    await revived.status(day2);
    const clears = await jobsOf(revived, beforeReset);
    expect(clears.jobs).toEqual([
      { type: "alert.clear", kind: "quota.80", subject: "alerts-p1", episode: "2030-04-10" },
      { type: "alert.clear", kind: "quota.95", subject: "alerts-p1", episode: "2030-04-10" },
    ]);
    await consume(clears.jobs);
    rows = await alertsOf("alerts-p1");
    expect(rows.every((r) => r.clearedAt instanceof Date)).toBe(true);

    // A new day is a new episode: the warning comes again, once.
    expectGrant(await revived.reserve({ units: 800, priority: "premium", project: "alerts-p1" }, day2));
    expectGrant(await revived.reserve({ units: 50, priority: "premium", project: "alerts-p1" }, day2));
    const next = await jobsOf(revived, clears.last);
    expect(next.jobs).toEqual([
      expect.objectContaining({ type: "alert.raise", kind: "quota.80", episode: "2030-04-11" }),
    ]);
    await consume(next.jobs);
    rows = await alertsOf("alerts-p1");
    expect(
      rows.filter((r) => r.kind === "quota.80").map((r) => [r.data.episode, r.clearedAt === null]),
    ).toEqual([
      ["2030-04-10", false],
      ["2030-04-11", true],
    ]);
  });

  it("raises a critical alert once when every project is exhausted", async () => {
    const ledger = freshLedger("alerts-all");
    const day = at("2030-05-20T18:00:00Z");
    await ledger.upsertProject(projectConfig("alerts-all-2", 10_000), day);
    for (const project of ["local-1", "alerts-all-2"]) {
      const grant = expectGrant(await ledger.reserve({ units: 50, priority: "premium", project }, day));
      await ledger.settle(grant.grantId, { units: 50, outcome: "quotaExceeded" }, day);
    }
    await ledger.reserve({ units: 1, priority: "premium" }, day); // denied all_exhausted: no second alert
    const all = (await jobsOf(ledger)).jobs.filter(
      (job) => job.type === "alert.raise" && job.subject === "all",
    );
    expect(all).toEqual([
      expect.objectContaining({ kind: "quota.exhausted", severity: "critical", episode: "2030-05-20" }),
    ]);
    await consume(all);
    const rows = await db.$primary
      .select()
      .from(schema.alerts)
      .where(
        and(eq(schema.alerts.kind, "quota.exhausted"), sql`${schema.alerts.data}->>'episode' = '2030-05-20'`),
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject: "all", severity: "critical", clearedAt: null });
  });

  it("hands a newly raised alert to alert.notify, and not once it was notified", async () => {
    const sent: unknown[] = [];
    const capturing = {
      ...env,
      JOBS: { send: async (body: unknown) => void sent.push(body) } as unknown as Queue,
    };
    const job: AlertRaiseJob = {
      type: "alert.raise",
      kind: "quota.80",
      subject: "notify-subject",
      severity: "warning",
      message: "m",
      episode: "2030-06-01",
    };
    await raiseAlert(db, capturing, job);
    const [row] = await alertsOf("notify-subject");
    expect(sent).toEqual([{ type: "alert.notify", alertId: row?.id }]);
    await db
      .update(schema.alerts)
      .set({ notifiedAt: new Date() })
      .where(eq(schema.alerts.subject, "notify-subject"));
    await raiseAlert(db, capturing, job);
    expect(sent).toHaveLength(1);

    // An older episode left open (its clear lost) gives way to the new one.
    await raiseAlert(db, capturing, { ...job, episode: "2030-06-02" });
    const rows = await alertsOf("notify-subject");
    expect(rows.map((r) => [r.data.episode, r.clearedAt === null])).toEqual([
      ["2030-06-01", false],
      ["2030-06-02", true],
    ]);
    expect(sent).toEqual([
      { type: "alert.notify", alertId: rows[0]?.id },
      { type: "alert.notify", alertId: rows[1]?.id },
    ]);
  });
});
