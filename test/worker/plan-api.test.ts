import { env, SELF } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { dailyDeltas } from "../../worker/title-tests/plan";
import { APP } from "./auth-fixtures";
import {
  addVideo,
  call,
  createDraft,
  creator,
  type ErrorJson,
  expectJson,
  insertSlots,
  setTest,
  type TestCreator,
} from "./tests-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/**
 * `GET /api/videos/:id/plan` against the emulator: the plan from the video's Analytics days, the
 * fallback to the product's own polls and to the lifetime average for a video Analytics has
 * nothing for, the KV cache, every 400, and 404 for another creator's video. Then the results
 * API's `whatTheTestKnows`, which the test page turns into "differences larger than ±X % are ruled out".
 */
// Signing in and reading YouTube through the emulator is slow on a loaded machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const { db, close } = openDb(env);
afterAll(() => close());
afterEach(() => vi.useRealTimers());

interface PlanJson {
  videoId: string;
  titles: number;
  intervalMinutes: number;
  plannedIntervalMinutes: number;
  viewsPerDay: number;
  effects: { lift: number; medianDays: number | null; likelyDays: number | null }[];
  smallestLikelyLift: number | null;
  advice: { code: string; message: string }[];
  traffic: { source: string; dailyViews: number[] };
}

const DAY_MS = 86_400_000;

let alice: TestCreator;
let bob: TestCreator;

beforeAll(async () => {
  alice = await creator(db, "pro");
  bob = await creator(db, "pro");
});

/** A video on `who`'s channel that has been getting `viewsPerDay` since it entered the emulator. */
function busyVideo(who: TestCreator, viewsPerDay: number): Promise<string> {
  return addVideo(who, "A busy video", {
    publishedAt: new Date(Date.now() - 60 * DAY_MS).toISOString(),
    viewsPerDay,
    initialViews: 50_000,
  });
}

/** Analytics calls the emulator has logged (it logs no video id for them); this file runs alone. */
async function analyticsCalls(): Promise<number> {
  const { calls } = await emulatorAdmin<{ calls: unknown[] }>("GET", "/calls?method=analytics.reports");
  return calls.length;
}

const plan = (who: TestCreator, videoId: string, query: string) =>
  call(who, "GET", `/api/videos/${videoId}/plan?${query}`);

describe("the plan of a video with Analytics days", () => {
  it("plans from the video's daily views, says so, and caches the traffic per video", async () => {
    const videoId = await busyVideo(alice, 3_000);
    // Four simulated days pass, so at least two whole days are past YouTube's 48-hour delay; the
    // Worker's clock follows the emulator's (Date only), as it would against Google.
    await emulatorAdmin("PUT", "/clock", { advanceSeconds: 4 * 86_400 });
    const { nowMs } = await emulatorAdmin<{ nowMs: number }>("GET", "/clock");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(nowMs);

    const body = await expectJson<PlanJson>(await plan(alice, videoId, "titles=2&intervalMinutes=60"), 200);
    expect(body).toMatchObject({ videoId, titles: 2, intervalMinutes: 60, plannedIntervalMinutes: 60 });
    expect(body.traffic.source).toBe("analytics");
    expect(body.traffic.dailyViews.length).toBeGreaterThanOrEqual(2);
    expect(body.traffic.dailyViews.every((v) => v > 0)).toBe(true);
    expect(body.viewsPerDay).toBeGreaterThan(300);
    expect(body.effects.map((e) => e.lift)).toEqual([0.1, 0.2, 0.5]);
    // A few thousand views a day find +50 % within the month, and sooner than +20 %.
    const [, plus20, plus50] = body.effects;
    expect(plus50?.medianDays).not.toBeNull();
    expect(plus50?.medianDays ?? Infinity).toBeLessThanOrEqual(plus20?.medianDays ?? Infinity);
    expect(body.smallestLikelyLift).not.toBeNull();
    expect(body.advice.map((a) => a.code)).not.toContain("too-little-traffic");

    // Five titles on the same traffic: the advice is fewer titles; the traffic comes from KV.
    const before = await analyticsCalls();
    expect(before).toBeGreaterThan(0);
    const five = await expectJson<PlanJson>(await plan(alice, videoId, "titles=5&intervalMinutes=60"), 200);
    expect(five.traffic).toEqual(body.traffic);
    expect(five.advice.map((a) => a.code)).toContain("fewer-titles");
    expect(five.smallestLikelyLift ?? Infinity).toBeGreaterThan(body.smallestLikelyLift ?? Infinity);
    expect(await analyticsCalls()).toBe(before);
  });

  it("plans the local stack's 1-minute demo interval as 15-minute slots and says so", async () => {
    const videoId = await busyVideo(alice, 3_000);
    const body = await expectJson<PlanJson>(await plan(alice, videoId, "titles=3&intervalMinutes=1"), 200);
    expect(body).toMatchObject({ intervalMinutes: 1, plannedIntervalMinutes: 15, titles: 3 });
  });
});

describe("a video without Analytics rows", () => {
  it("falls back to the view counts the product polled during its tests", async () => {
    const videoId = await addVideo(alice, "Brand new upload");
    const draft = await createDraft(alice, { videoId });
    const now = Date.now();
    // Polls every 6 hours over 3 days: 400 views a day.
    const polls = Array.from({ length: 13 }, (_, i) => ({
      testId: draft.id,
      kind: "poll" as const,
      slotIndex: i,
      polledAt: new Date(now - 3 * DAY_MS + i * 6 * 3_600_000),
      viewCount: 1_000 + i * 100,
    }));
    await db.insert(schema.analyticsPolls).values(polls);

    const body = await expectJson<PlanJson>(await plan(alice, videoId, "titles=2&intervalMinutes=60"), 200);
    expect(body.traffic.source).toBe("polls");
    expect(body.traffic.dailyViews).toHaveLength(3);
    for (const v of body.traffic.dailyViews) expect(v).toBeCloseTo(400, 6);
    expect(body.viewsPerDay).toBeCloseTo(400, 0);
  });

  it("falls back to the lifetime average, and says a quiet video has too little traffic", async () => {
    const videoId = await addVideo(alice, "Nobody watched this yet");
    const body = await expectJson<PlanJson>(await plan(alice, videoId, "titles=2&intervalMinutes=60"), 200);
    expect(body.traffic).toEqual({ source: "lifetime", dailyViews: [0] });
    expect(body.effects.every((e) => e.medianDays === null)).toBe(true);
    const advice = body.advice.find((a) => a.code === "too-little-traffic");
    expect(advice?.message).toMatch(/too little traffic/);
  });
});

describe("refusals", () => {
  it.each([
    ["titles=1&intervalMinutes=60", "titles"],
    ["titles=6&intervalMinutes=60", "titles"],
    ["titles=2.5&intervalMinutes=60", "titles"],
    ["titles=two&intervalMinutes=60", "titles"],
    ["intervalMinutes=60", "titles"],
    ["titles=2", "intervalMinutes"],
    ["titles=2&intervalMinutes=0", "intervalMinutes"],
    ["titles=2&intervalMinutes=2000", "intervalMinutes"],
    // Not an interval the plan allows (nor any interval the app offers).
    ["titles=2&intervalMinutes=7", "intervalMinutes"],
    ["titles=2&intervalMinutes=45", "intervalMinutes"],
  ])("answers 400 to ?%s, naming %s", async (query, field) => {
    const res = await plan(alice, alice.videoIds[0] as string, query);
    const body = await expectJson<ErrorJson>(res, 400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.requestId).toBeTruthy();
    expect(body.error.details?.issues.map((i) => i.path)).toContain(field);
  });

  it("answers 400 to a malformed video id", async () => {
    const body = await expectJson<ErrorJson>(await plan(alice, "x!", "titles=2&intervalMinutes=60"), 400);
    expect(body.error.details?.issues.map((i) => i.path)).toContain("id");
  });

  it("answers 404 for another creator's video, exactly as for a video that does not exist", async () => {
    const theirs = await expectJson<ErrorJson>(
      await plan(bob, alice.videoIds[0] as string, "titles=2&intervalMinutes=60"),
      404,
    );
    const none = await expectJson<ErrorJson>(
      await plan(bob, "NoSuchVideo1", "titles=2&intervalMinutes=60"),
      404,
    );
    expect(theirs.error.code).toBe("not_found");
    expect(theirs.error.message).toBe(none.error.message);
  });

  it("answers 401 without a session", async () => {
    const res = await SELF.fetch(`${APP}/api/videos/${alice.videoIds[0]}/plan?titles=2&intervalMinutes=60`);
    expect(res.status).toBe(401);
  });
});

describe("daily deltas from polls", () => {
  it("holds a count that went down and needs an hour of polls", () => {
    expect(dailyDeltas([{ at: 0, views: 10 }])).toBeNull();
    expect(
      dailyDeltas([
        { at: 0, views: 10 },
        { at: 1_800_000, views: 20 },
      ]),
    ).toBeNull();
    // Half a day: the rate scaled to a day.
    expect(
      dailyDeltas([
        { at: 0, views: 100 },
        { at: DAY_MS / 2, views: 150 },
      ]),
    ).toEqual([100]);
    // A drop (spam views removed) counts as no growth, not as negative views.
    const days = dailyDeltas([
      { at: 0, views: 100 },
      { at: DAY_MS, views: 300 },
      { at: 1.5 * DAY_MS, views: 250 },
      { at: 2 * DAY_MS, views: 400 },
    ]);
    expect(days).toEqual([200, 100]);
  });
});

describe("results: what the test knows", () => {
  it("says what a running test rules out, and at an inconclusive end the smallest lift it could see", async () => {
    const videoId = await addVideo(alice, "A video with a test");
    const test = await createDraft(alice, { videoId, titles: ["A sharper title"] });
    const start = Date.now() - 20 * 3_600_000;
    // Ten hourly slots in five rounds, the titles close: no winner, not "the same" either.
    const counts = [
      [100, 112],
      [121, 104],
      [92, 101],
      [131, 118],
      [99, 117],
    ];
    let views = 10_000;
    const rows = counts.flatMap((pair, block) =>
      pair.map((n, i) => {
        const slotIndex = 2 * block + i;
        const row = {
          slotIndex,
          variant: block % 2 === 0 ? i : 1 - i,
          block,
          startedAt: new Date(start + slotIndex * 3_600_000),
          endedAt: new Date(start + (slotIndex + 1) * 3_600_000),
          viewsStart: views,
          viewsEnd: views + n,
        };
        views += n;
        return row;
      }),
    );
    await insertSlots(db, test.id, rows);
    await setTest(db, test.id, {
      status: "running",
      startsAt: new Date(start),
      endsAt: new Date(Date.now() + 7 * DAY_MS),
    });

    interface ResultsJson {
      analysis: { decision: string };
      whatTheTestKnows: { ruledOutBeyond: number | null; smallestDetectable: number | null; message: string };
    }
    const running = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    expect(running.analysis.decision).toBe("collecting");
    const bound = running.whatTheTestKnows.ruledOutBeyond;
    expect(bound).not.toBeNull();
    // Five rounds of ~100 views a slot bound the difference, but not tightly.
    expect(bound ?? 0).toBeGreaterThan(0.05);
    expect(bound ?? Infinity).toBeLessThan(5);
    expect(running.whatTheTestKnows.message).toBe(
      `Differences larger than ±${Math.round(100 * (bound ?? 0))} % are ruled out so far.`,
    );

    await setTest(db, test.id, { endsAt: new Date(Date.now() - 60_000) });
    const ended = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    expect(ended.analysis.decision).toBe("inconclusive");
    expect(ended.whatTheTestKnows.ruledOutBeyond).toBeCloseTo(bound ?? 0, 10);
    expect(ended.whatTheTestKnows.smallestDetectable).toBeGreaterThan(0);
    expect(ended.whatTheTestKnows.message).toMatch(
      /^No title won\. .* would likely have found a title \+\d+ % better\.$/,
    );
  });

  it("rules nothing out before a few rounds", async () => {
    const videoId = await addVideo(alice, "A video with a new test");
    const test = await createDraft(alice, { videoId });
    const results = await expectJson<{ whatTheTestKnows: { ruledOutBeyond: number | null } }>(
      await call(alice, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    expect(results.whatTheTestKnows.ruledOutBeyond).toBeNull();
  });
});
