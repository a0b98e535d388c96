import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { analyticsPolls, reportingJobs, videoReachDays } from "../../schema";
import { enqueueReachFetches } from "../../worker/cron";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { ensureReportingJob, fetchReach, REPORT_LAG_MS } from "../../worker/jobs/reach";
import { pacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
import {
  advance,
  creatorWithVideo,
  emulatorNow,
  HOUR,
  record,
  rotator,
  scheduledTest,
  step,
} from "./fixtures";

/**
 * CTR tests decided from the reach rows in Postgres (`video_reach_days`), written here as the
 * `reach.fetch` job writes them, so each case controls which day arrives when: late days, a day
 * that never arrives, a corrected day, a reporting job younger than the test's days. The last
 * case runs the fetch against the emulator's real reports.
 */

const DAY = 24 * HOUR;
const { db, close } = openDb(env);
afterAll(() => close());

type Creator = Awaited<ReturnType<typeof creatorWithVideo>>;

/** A creator whose reach job exists (what sign-in's `reporting.ensure` job does). */
async function creatorWithJob(): Promise<Creator & { jobCreatedAt: number }> {
  const creator = await creatorWithVideo({ viewsPerDay: 2_000 });
  const job = await ensureReportingJob(db, env, creator.userId);
  if (!job) throw new Error("no reporting job");
  return { ...creator, jobCreatedAt: job.jobCreatedAt.getTime() };
}

/** A two-title daily CTR test starting a day after the emulator's clock (so the clocks can meet). */
async function ctrTest(creator: Creator, days = 10): Promise<string> {
  const ahead = Math.max(0, Math.ceil(((await emulatorNow()) - Date.now()) / HOUR));
  const testId = await scheduledTest(creator, ["Challenger"], {
    metric: "ctr",
    intervalMinutes: 1440,
    startsInHours: ahead + 24,
    endsInHours: 24 * days,
  });
  const started = await rotator(testId).start(testId);
  expect(started.ok).toBe(true);
  return testId;
}

/** Runs the test's steps (the emulator's clock brought to each) until `done` or no step is armed. */
async function driveUntil(testId: string, done: () => Promise<boolean>, maxSteps = 30): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (await done()) return;
    const due = (await rotator(testId).view())?.nextStepAt;
    if (due === null || due === undefined) return;
    const lag = due - (await emulatorNow());
    if (lag > 0) await advance(lag + 60_000);
    await step(testId);
  }
}

async function journal(testId: string) {
  return rotator(testId).history();
}

const settling = (testId: string) => async () => (await journal(testId)).some((e) => e.step === "settling");

/** The test's days (Pacific) with the variant live all that day. */
async function daysOf(testId: string): Promise<{ day: string; variant: number }[]> {
  const { slots } = await record(testId);
  return slots.map((s) => ({ day: pacificDayKey(s.startedAt.getTime()), variant: s.variant }));
}

/** Writes a day's reach as a report created at `reportAt` gave it (replacing what was there). */
async function putReach(
  creator: Creator,
  day: string,
  counts: { impressions: number; clicks: number },
  reportAt: number,
) {
  const row = {
    videoId: creator.videoId,
    day,
    userId: creator.userId,
    ...counts,
    reportCreatedAt: new Date(reportAt),
  };
  await db
    .insert(videoReachDays)
    .values(row)
    .onConflictDoUpdate({ target: [videoReachDays.videoId, videoReachDays.day], set: row });
}

/**
 * About 4 % for the original and 8 % for the challenger on 30,000–45,000 impressions a day, the
 * rates wobbling a little from day to day (as real days do: the engine measures that spread).
 */
function fair(variant: number, day: string) {
  const n = Number(day.slice(-2));
  const impressions = 30_000 + 2_500 * (n % 7);
  const rate = (variant === 1 ? 0.08 : 0.04) * (1 + 0.04 * ((n % 3) - 1));
  return { impressions, clicks: Math.round(impressions * rate) };
}

async function pendingEvents(testId: string) {
  return (await journal(testId))
    .filter((e) => e.step === "reach_pending")
    .map((e) => JSON.parse(e.data) as { day: string; expectedAt: number | null; message: string });
}

describe("a CTR test decided from the reach reports", () => {
  it("waits for late days, treats a day that has not come as missing, and lets a corrected day replace its counts", async () => {
    const creator = await creatorWithJob();
    const testId = await ctrTest(creator);
    await driveUntil(testId, settling(testId));
    // Past its end with no reach at all: the verdict waits, and the test says when the first day comes.
    expect((await record(testId)).test?.status).toBe("running");
    const days = await daysOf(testId);
    // Four blocks of two days at least: what the engine needs to call a winner.
    expect(days.length).toBeGreaterThanOrEqual(8);
    const first = days[0] as { day: string; variant: number };
    const announced = (await pendingEvents(testId))[0];
    expect(announced?.day).toBe(first.day);
    expect(announced?.expectedAt).toBe(
      pacificDay(Date.parse(`${first.day}T12:00:00Z`)).endsAt + REPORT_LAG_MS,
    );
    expect(announced?.message).toContain(`impressions for ${first.day} arrive from YouTube around`);

    // Every day but the last arrives; the first one at first with the titles' counts swapped.
    const reportAt = await emulatorNow();
    const last = days[days.length - 1] as { day: string; variant: number };
    for (const d of days.slice(0, -1))
      await putReach(
        creator,
        d.day,
        d === first ? fair(1 - d.variant, d.day) : fair(d.variant, d.day),
        reportAt,
      );
    const before = (await rotator(testId).view())?.nextStepAt ?? 0;
    await advance(before - (await emulatorNow()) + 60_000);
    await step(testId);
    // The missing day holds the verdict back, and it is the one announced now.
    expect((await record(testId)).test?.status).toBe("running");
    expect((await pendingEvents(testId)).at(-1)?.day).toBe(last.day);
    const copied = async (day: string) =>
      (
        await db
          .select()
          .from(analyticsPolls)
          .where(and(eq(analyticsPolls.testId, testId), eq(analyticsPolls.day, day)))
      )[0];
    expect((await copied(first.day))?.ctr).toBeCloseTo(
      fair(1 - first.variant, first.day).clicks / fair(1 - first.variant, first.day).impressions,
      9,
    );
    expect((await copied(last.day))?.impressions ?? null).toBeNull();

    // A newer report corrects the first day, and the last day arrives.
    await putReach(creator, first.day, fair(first.variant, first.day), reportAt + HOUR);
    await putReach(creator, last.day, fair(last.variant, last.day), reportAt + HOUR);
    await driveUntil(testId, async () => (await record(testId)).test?.status === "completed");

    const { test } = await record(testId);
    expect(test?.status).toBe("completed");
    expect(test?.decision).toBe("winner");
    expect(test?.winnerVariant).toBe(1);
    expect((await copied(first.day))?.ctr).toBeCloseTo(
      fair(first.variant, first.day).clicks / fair(first.variant, first.day).impressions,
      9,
    );
    expect((await copied(first.day))?.impressions).toBe(fair(first.variant, first.day).impressions);
    expect((await copied(last.day))?.impressions).toBe(fair(last.variant, last.day).impressions);
  });

  it("waits past the usual settle limit for a reporting job younger than the test's days", async () => {
    const creator = await creatorWithJob();
    const testId = await ctrTest(creator, 4);
    const { test: row } = await record(testId);
    const endsAt = row?.endsAt?.getTime() ?? 0;
    // The job was (say) only created four days after the test ended: its backfill comes 48 h later.
    const jobCreatedAt = endsAt + 4 * DAY;
    await db
      .update(reportingJobs)
      .set({ jobCreatedAt: new Date(jobCreatedAt) })
      .where(eq(reportingJobs.userId, creator.userId));
    await driveUntil(testId, settling(testId));
    const announced = (await pendingEvents(testId)).at(-1);
    expect(announced?.expectedAt).toBe(jobCreatedAt + REPORT_LAG_MS);

    // Five days past its end (the limit for an Analytics day) it is still waiting for the backfill.
    await driveUntil(testId, async () => (await emulatorNow()) > endsAt + 5 * DAY + HOUR);
    expect((await record(testId)).test?.status).toBe("running");

    // The backfill arrives: the test is decided from it.
    for (const d of await daysOf(testId))
      await putReach(creator, d.day, fair(d.variant, d.day), jobCreatedAt + REPORT_LAG_MS);
    await driveUntil(testId, async () => (await record(testId)).test?.status === "completed");
    const { test } = await record(testId);
    expect(test?.status).toBe("completed");
    expect(test?.decision).not.toBeNull();
    expect(test?.decision).not.toBe("collecting");
  });

  it("stores the emulator's reports: a newer stored row is kept, an older one replaced, a silent video counted as 0", async () => {
    const creator = await creatorWithJob();
    const silent = await creatorWithVideo({ viewsPerDay: 0 });
    await ensureReportingJob(db, env, silent.userId);
    await ctrTest(creator, 30);
    await ctrTest(silent, 30);
    // Two whole days of the video's traffic after the job, then their reports (two days late).
    const kept = pacificDay(creator.jobCreatedAt + DAY);
    const replaced = pacificDay(creator.jobCreatedAt + 2 * DAY);
    await advance(replaced.endsAt + REPORT_LAG_MS + HOUR - (await emulatorNow()));
    await putReach(creator, kept.key, { impressions: 7, clicks: 7 }, Date.UTC(2100, 0, 1));
    await putReach(creator, replaced.key, { impressions: 1, clicks: 1 }, 0);

    const fetched = await fetchReach(db, env, creator.userId);
    expect(fetched?.reports).toBeGreaterThan(0);
    const rows = await db.select().from(videoReachDays).where(eq(videoReachDays.videoId, creator.videoId));
    const row = (day: string) => rows.find((r) => r.day === day);
    expect(row(kept.key)).toMatchObject({ impressions: 7, clicks: 7 });
    // The report's own figures: a few percent of tens of thousands of impressions.
    const fresh = row(replaced.key);
    expect(fresh?.reportCreatedAt.getTime()).toBeGreaterThan(replaced.endsAt);
    expect(fresh?.impressions).toBeGreaterThan(1_000);
    expect(fresh?.clicks).toBeGreaterThan(0);
    expect(fresh?.clicks).toBeLessThan(fresh?.impressions ?? 0);
    // A redelivery finds nothing new.
    expect(await fetchReach(db, env, creator.userId)).toEqual({ reports: 0, rows: 0 });

    // A video with no impressions is in no report row, yet its days are known: 0 of 0.
    await fetchReach(db, env, silent.userId);
    const silentRows = await db
      .select()
      .from(videoReachDays)
      .where(eq(videoReachDays.videoId, silent.videoId));
    expect(silentRows.length).toBeGreaterThan(0);
    expect(silentRows.every((r) => r.impressions === 0 && r.clicks === 0)).toBe(true);
  });

  it("the daily cron sends one reach.fetch per creator with a live CTR test; the consumer runs both jobs", async () => {
    const ctrCreator = await creatorWithVideo({ viewsPerDay: 2_000 });
    const viewsCreator = await creatorWithVideo({ viewsPerDay: 2_000 });
    await scheduledTest(ctrCreator, ["Challenger"], {
      metric: "ctr",
      intervalMinutes: 1440,
      startsInHours: 24,
    });
    await scheduledTest(viewsCreator, ["Challenger"], { metric: "views", startsInHours: 24 });
    const sent: JobMessage[] = [];
    const queue = {
      send: async (body: JobMessage) => void sent.push(body),
      sendBatch: async (messages: { body: JobMessage }[]) => void sent.push(...messages.map((m) => m.body)),
    };
    const capturing = { ...env, JOBS: queue as unknown as Queue };
    expect(await enqueueReachFetches(capturing, db)).toBeGreaterThanOrEqual(1);
    const ours = [ctrCreator.userId, viewsCreator.userId];
    const mine = sent.filter((j) => "userId" in j && ours.includes(j.userId));
    expect(mine).toEqual([{ type: "reach.fetch", userId: ctrCreator.userId }]);

    // Delivered (with a reporting.ensure for the other creator, as their sign-in sends it).
    const jobs: JobMessage[] = [...mine, { type: "reporting.ensure", userId: viewsCreator.userId }];
    const batch = createMessageBatch<JobMessage>(
      "ttp-jobs",
      jobs.map((body, i) => ({
        id: `reach-${crypto.randomUUID()}-${i}`,
        timestamp: new Date(),
        attempts: 1,
        body,
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, capturing);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(2);
    for (const userId of ours) {
      const [job] = await db.select().from(reportingJobs).where(eq(reportingJobs.userId, userId));
      expect(job?.jobId).toBeTruthy();
    }
  });
});
