import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { analyticsPolls, videoReachDays } from "../../schema";
import { openDb } from "../../worker/db/client";
import { ensureReportingJob, fetchReach } from "../../worker/jobs/reach";
import { pacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
import {
  advance,
  creatorWithVideo,
  emulatorNow,
  liveSnippet,
  record,
  rotator,
  scheduledTest,
  setCtrs,
  step,
} from "./fixtures";

/**
 * A CTR test: 24-hour slots from midnight Pacific, judged by the Reporting API's reach reports
 * (impressions and clicks per day), which arrive two days late: the `reach.fetch` job (run here
 * before every step, as the daily cron would) stores them in Postgres, the rotator reads them from
 * there. The emulator's clock is kept on the rotator's: each step runs when the simulated time
 * reaches it.
 */
describe("a CTR test", () => {
  it("rotates daily at midnight Pacific, waits for the last days' reach reports, then applies the winner", async () => {
    const creator = await creatorWithVideo({ viewsPerDay: 2_000 });
    // What sign-in's `reporting.ensure` job does (here at once, not whenever the queue delivers it).
    const { db: jobsDb, close: closeJobsDb } = openDb(env);
    const job = await ensureReportingJob(jobsDb, env, creator.userId);
    expect(job?.jobId).toBeTruthy();
    await setCtrs(creator.videoId, { [creator.original]: 0.04, "Daily challenger": 0.07 });
    // Starts a day after the emulator's clock, wherever earlier test files left it, so both clocks
    // can meet (a fixed offset from the real clock failed once another file had moved it further).
    const ahead = Math.max(0, Math.ceil(((await emulatorNow()) - Date.now()) / 3_600_000));
    const testId = await scheduledTest(creator, ["Daily challenger"], {
      metric: "ctr",
      intervalMinutes: 1440,
      startsInHours: ahead + 24,
      endsInHours: 24 * 8,
    });
    const started = await rotator(testId).start(testId);
    const firstStep = started.ok ? (started.view.nextStepAt ?? 0) : 0;
    // The first slot waits for midnight Pacific (the test's offset is 0).
    expect(pacificDay(firstStep).startsAt).toBe(firstStep);

    for (let i = 0; i < 40; i++) {
      const due = (await rotator(testId).view())?.nextStepAt;
      if (due === null || due === undefined) break;
      const lag = due - (await emulatorNow());
      if (lag > 0) await advance(lag + 60_000);
      await fetchReach(jobsDb, env, creator.userId);
      await step(testId);
    }
    // A redelivered fetch finds no new report and changes nothing.
    expect(await fetchReach(jobsDb, env, creator.userId)).toEqual({ reports: 0, rows: 0 });
    await closeJobsDb();

    const { test, slots } = await record(testId);
    expect(test?.status).toBe("completed");
    expect(test?.decision).toBe("winner");
    expect(test?.winnerVariant).toBe(1);
    expect((await liveSnippet(creator.videoId)).title).toBe("Daily challenger");
    // Every slot is one Pacific day.
    for (const s of slots) {
      expect(pacificDay(s.startedAt.getTime()).startsAt).toBe(s.startedAt.getTime());
      expect(s.endedAt?.getTime()).toBe(pacificDay(s.startedAt.getTime()).endsAt);
    }
    // The days it was judged by are in Postgres, each with the one title live all that day.
    const { db, close } = openDb(env);
    try {
      const days = await db
        .select()
        .from(analyticsPolls)
        .where(and(eq(analyticsPolls.testId, testId), eq(analyticsPolls.kind, "daily")));
      const reach = await db.select().from(videoReachDays).where(eq(videoReachDays.videoId, creator.videoId));
      for (const s of slots) {
        const key = pacificDayKey(s.startedAt.getTime());
        const day = days.find((d) => d.day === key);
        const reported = reach.find((r) => r.day === key);
        // Each day's impressions and CTR are the reach report's.
        expect(reported?.impressions).toBeGreaterThan(0);
        expect(day?.impressions).toBe(reported?.impressions);
        expect(day?.ctr).toBeCloseTo((reported?.clicks ?? 0) / (reported?.impressions ?? 1), 9);
        expect(day?.titleId).not.toBeNull();
      }
    } finally {
      await close();
    }
    const journal = (await rotator(testId).history()).map((e) => e.step);
    expect(journal).toContain("settling");
    // The last days were announced while they were on their way from YouTube.
    expect(journal).toContain("reach_pending");
    // Only what the Analytics API serves was asked of it.
    expect(journal).not.toContain("analytics_failed");
    expect(slots.length).toBeGreaterThanOrEqual(4);
  });
});
