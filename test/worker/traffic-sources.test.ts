import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
} from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { CRON, runScheduled, TRAFFIC_SOURCES_HOUR_UTC } from "../../worker/cron";
import { openDb } from "../../worker/db/client";
import { openHttpDb } from "../../worker/db/http";
import worker from "../../worker/index";
import type { JobMessage, TrafficSourcesJob } from "../../worker/jobs/messages";
import { pacificDay } from "../../worker/quota/pacific-day";
import type { TrafficSourceResults } from "../../worker/title-tests/traffic-sources";
import { loadPrincipal } from "../../worker/users/principal";
import { actForUser } from "../../worker/users/youtube-user";
import {
  call,
  createDraft,
  creator,
  expectJson,
  insertSlots,
  setTest,
  type TestCreator,
  type TestJson,
} from "./tests-fixtures";
import { callLog, emulatorAdmin } from "./youtube-fixtures";

/**
 * Traffic sources of daily-slot tests against the emulator: the `traffic.sources` job through the
 * real queue consumer (the emulator's clock moved past the 48-hour Analytics delay through its
 * admin API), the results field and CSV table built from what it stored, and the cron's fan-out.
 */

const { db, close } = openDb(env);
afterAll(() => close());

const DAY_MS = 86_400_000;

async function deliver(body: JobMessage) {
  const batch = createMessageBatch<JobMessage>("ttp-jobs", [
    { id: `job-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function storedRows(videoId: string) {
  return db.select().from(schema.trafficSources).where(eq(schema.trafficSources.videoId, videoId));
}

/** Pacific midnights: four whole days (two rounds of two titles) starting tomorrow, emulator time. */
function dailySlots(nowMs: number) {
  const starts: number[] = [pacificDay(nowMs).endsAt];
  for (let i = 0; i < 4; i++) starts.push(pacificDay(starts[i] as number).endsAt);
  const order = [0, 1, 1, 0];
  return order.map((variant, i) => ({
    slotIndex: i,
    variant,
    block: Math.floor(i / 2),
    startedAt: new Date(starts[i] as number),
    endedAt: new Date(starts[i + 1] as number),
    viewsStart: 0,
    viewsEnd: 0,
  }));
}

describe("traffic.sources", () => {
  let who: TestCreator;
  let test: TestJson;
  let slots: ReturnType<typeof dailySlots>;
  let days: string[];
  let startClock: number;
  const endMs = (i: number) => slots[i]?.endedAt.getTime() ?? Number.NaN;

  beforeAll(async () => {
    who = await creator(db);
    test = await createDraft(who, {
      intervalMinutes: 1440,
      titles: ["A sharper title"],
      includeCurrentTitle: true,
    });
    startClock = (await emulatorAdmin<{ nowMs: number }>("GET", "/clock")).nowMs;
    slots = dailySlots(startClock);
    days = slots.map((s) => pacificDay(s.startedAt.getTime()).key);
    await setTest(db, test.id, { status: "running", startedAt: slots[0]?.startedAt, currentVariant: 0 });
    await insertSlots(db, test.id, slots);
  });

  it("stores nothing while no day of the test is final, and the results say when data arrives", async () => {
    const result = await deliver({ type: "traffic.sources", testId: test.id, asOf: startClock });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await storedRows(test.videoId)).toEqual([]);

    const results = await expectJson<{ trafficSources: TrafficSourceResults }>(
      await call(who, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    expect(results.trafficSources.daysWithData).toBe(0);
    expect(results.trafficSources.daysPending).toBe(4);
    // The first day's rows are due 48 h after it ends.
    const due = endMs(0) + 2 * DAY_MS;
    expect(Date.parse(results.trafficSources.nextDataAt as string)).toBeGreaterThanOrEqual(due);
  });

  it("stores each final day's views by source once 48 simulated hours have passed, matching the day totals", async () => {
    // Simulated time only moves forward; other suites don't depend on its value.
    await emulatorAdmin("PUT", "/clock", { advanceSeconds: 8 * 86_400 });
    const asOf = (await emulatorAdmin<{ nowMs: number }>("GET", "/clock")).nowMs;
    expect(asOf).toBeGreaterThan(endMs(3) + 2 * DAY_MS);
    const before = (await callLog(await projectOf(who.id))).length;
    await deliver({ type: "traffic.sources", testId: test.id, asOf });

    const rows = await storedRows(test.videoId);
    expect(new Set(rows.map((r) => r.day))).toEqual(new Set(days));
    expect(rows.every((r) => r.views > 0 && r.minutes >= 0)).toBe(true);
    expect(rows.some((r) => r.source === "YT_SEARCH")).toBe(true);

    // The sources add up to the video's daily total the Analytics API reports.
    const principal = await loadPrincipal(env, () => openHttpDb(env).freshReads, who.id);
    if (!principal) throw new Error("no principal");
    const totals = await actForUser(env, db, principal, (client, user) =>
      client.getDailyVideoMetrics(user, test.videoId, days[0] as string, days[3] as string),
    );
    expect(totals.map((t) => t.day)).toEqual(days);
    for (const t of totals) {
      const sum = rows.filter((r) => r.day === t.day).reduce((n, r) => n + r.views, 0);
      expect(sum).toBe(t.views);
    }
    // One Analytics call for the whole range, no Data API units.
    const calls = (await callLog(await projectOf(who.id))).slice(before);
    const reports = calls.filter((c) => c.method === "analytics.reports");
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.every((c) => c.units === 0)).toBe(true);
  });

  it("replaces a day on re-fetch: changed counts restored, a source YouTube no longer lists removed", async () => {
    const [first] = await storedRows(test.videoId);
    if (!first) throw new Error("no rows");
    await db
      .update(schema.trafficSources)
      .set({ views: 999_999, fetchedAt: new Date(Date.now() - DAY_MS) })
      .where(
        and(
          eq(schema.trafficSources.videoId, first.videoId),
          eq(schema.trafficSources.day, first.day),
          eq(schema.trafficSources.source, first.source),
        ),
      );
    await db.insert(schema.trafficSources).values({
      videoId: first.videoId,
      day: first.day,
      source: "SOUND_PAGE",
      views: 5,
      minutes: 1,
      fetchedAt: new Date(Date.now() - DAY_MS),
    });
    const asOf = (await emulatorAdmin<{ nowMs: number }>("GET", "/clock")).nowMs;
    await deliver({ type: "traffic.sources", testId: test.id, asOf });
    const rows = await storedRows(test.videoId);
    const again = rows.find((r) => r.day === first.day && r.source === first.source);
    expect(again?.views).toBe(first.views);
    expect(rows.some((r) => r.source === "SOUND_PAGE")).toBe(false);
  });

  it("answers per title the views and minutes by source of the days it was live, with lifts", async () => {
    const rows = await storedRows(test.videoId);
    const results = await expectJson<{ trafficSources: TrafficSourceResults }>(
      await call(who, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    const traffic = results.trafficSources;
    expect(traffic).toMatchObject({ daysWithData: 4, daysPending: 0, roundsComplete: 2 });
    for (const v of traffic.variants) {
      const liveDays = slots
        .filter((s) => s.variant === v.variant)
        .map((s) => pacificDay(s.startedAt.getTime()).key);
      expect(v.days).toBe(2);
      for (const s of v.sources) {
        const expected = rows.filter((r) => r.source === s.source && liveDays.includes(r.day));
        expect(s.views).toBe(expected.reduce((n, r) => n + r.views, 0));
        expect(s.minutes).toBeCloseTo(
          expected.reduce((n, r) => n + r.minutes, 0),
          6,
        );
      }
      expect(v.views).toBe(v.sources.reduce((n, s) => n + s.views, 0));
    }
    const [control, challenger] = traffic.variants;
    expect(control?.sources.every((s) => s.lift === null)).toBe(true);
    const search = challenger?.sources.find((s) => s.source === "YT_SEARCH");
    expect(search?.label).toBe("YouTube search");
    // Two complete rounds of two titles: the interval is estimable and contains the estimate.
    expect(search?.lift).not.toBeNull();
    expect(search?.liftLow).toBeLessThanOrEqual(search?.lift as number);
    expect(search?.liftHigh).toBeGreaterThanOrEqual(search?.lift as number);
  });

  it("exports the per-title source rows as a second CSV table", async () => {
    const res = await call(who, "GET", `/api/tests/${test.id}/export.csv`);
    expect(res.status).toBe(200);
    const [slotTable, sourceTable] = (await res.text()).split("\r\n\r\n");
    expect(slotTable?.split("\r\n")).toHaveLength(1 + slots.length);
    const lines = (sourceTable ?? "").trimEnd().split("\r\n");
    expect(lines[0]).toBe("variant,title,traffic_source,days,views,minutes,lift,lift_low,lift_high");
    const results = await expectJson<{ trafficSources: TrafficSourceResults }>(
      await call(who, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    const sourceCount = results.trafficSources.variants.reduce((n, v) => n + v.sources.length, 0);
    expect(lines).toHaveLength(1 + sourceCount);
    expect(lines.some((l) => l.startsWith(`1,A sharper title,YT_SEARCH,2,`))).toBe(true);
  });

  it("leaves tests with shorter slots out: no field, no fetch", async () => {
    const hourly = await createDraft(who, { videoId: who.videoIds[1] });
    const results = await expectJson<{ trafficSources: unknown }>(
      await call(who, "GET", `/api/tests/${hourly.id}/results`),
      200,
    );
    expect(results.trafficSources).toBeNull();
    await deliver({ type: "traffic.sources", testId: hourly.id, asOf: Date.now() + 30 * DAY_MS });
    expect(await storedRows(hourly.videoId)).toEqual([]);
  });

  it("is fanned out by the hourly cron once a day, for live and recently ended daily tests only", async () => {
    const sent: TrafficSourcesJob[] = [];
    const jobs = {
      send: async () => {},
      sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
        for (const m of messages) sent.push(m.body as TrafficSourcesJob);
      },
    } as unknown as Queue;
    const spied = { ...env, JOBS: jobs };
    const noon = new Date();
    noon.setUTCHours(TRAFFIC_SOURCES_HOUR_UTC, 0, 0, 0);
    await runScheduled(
      createScheduledController({ cron: CRON.hourly, scheduledTime: noon.getTime() + 3_600_000 }),
      spied,
    );
    expect(sent.filter((j) => j.testId === test.id)).toEqual([]);

    await runScheduled(createScheduledController({ cron: CRON.hourly, scheduledTime: noon }), spied);
    const mine = sent.filter((j) => j.testId === test.id);
    expect(mine).toEqual([{ type: "traffic.sources", testId: test.id, asOf: noon.getTime() }]);

    // Ended long ago: its days were all fetched; not sent again.
    await setTest(db, test.id, { status: "completed", finishedAt: new Date(noon.getTime() - 10 * DAY_MS) });
    sent.length = 0;
    await runScheduled(createScheduledController({ cron: CRON.hourly, scheduledTime: noon }), spied);
    expect(sent.filter((j) => j.testId === test.id)).toEqual([]);
    await setTest(db, test.id, { finishedAt: new Date(noon.getTime() - DAY_MS) });
    await runScheduled(createScheduledController({ cron: CRON.hourly, scheduledTime: noon }), spied);
    expect(sent.filter((j) => j.testId === test.id)).toHaveLength(1);
  });
});

async function projectOf(userId: string): Promise<string> {
  const [user] = await db
    .select({ project: schema.users.oauthProjectId })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  return user?.project ?? "";
}
