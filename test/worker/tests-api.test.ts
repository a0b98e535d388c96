import { env, runDurableObjectAlarm } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { rollupUserStats } from "../../worker/rollups/user-stats";
import { csvCell } from "../../worker/title-tests/results";
import { scheduleDay, scheduleMidnight, scheduleSlots } from "../shared/daily-slots";
import { requestsAtProxy, requestsSince } from "./sql-requests";
import {
  addVideo,
  call,
  createDraft,
  creator,
  expectJson,
  hoursAfter,
  insertSlots,
  rowCounts,
  setTest,
  type TestCreator,
  type TestJson,
  testRow,
} from "./tests-fixtures";

/**
 * The tests API on its happy paths that need no running TestRotator: drafts created against the
 * emulator's videos, listed, read, edited and deleted; results, CSV and dashboard over slots the
 * rotator would have written (inserted directly).
 */
const { db, close } = openDb(env);
afterAll(() => close());

let alice: TestCreator;

beforeAll(async () => {
  alice = await creator(db, "pro");
});

describe("creating drafts", () => {
  it("saves a draft whose control is the video's live title, with a created event", async () => {
    const videoId = await addVideo(alice, "How I bake bread");
    const test = await createDraft(alice, {
      videoId,
      titles: ["  Bread in 10 minutes ", "The only bread recipe"],
    });
    expect(test).toMatchObject({
      videoId,
      videoTitleOriginal: "How I bake bread",
      status: "draft",
      metric: "views",
      intervalMinutes: 60,
      autoApply: true,
      startsAt: null,
      endsAt: null,
      // The emulator's image host (the Worker's Google APIs point at it here), at YouTube's 320×180 size.
      thumbnailUrl: expect.stringMatching(
        new RegExp(`^http://127\\.0\\.0\\.1:\\d+/vi/${videoId}/mqdefault\\.svg$`),
      ),
    });
    expect(test.titles).toEqual([
      { variant: 0, text: "How I bake bread" },
      { variant: 1, text: "Bread in 10 minutes" },
      { variant: 2, text: "The only bread recipe" },
    ]);
    const row = await testRow(db, test.id);
    expect(row?.userId).toBe(alice.id);
    // One of 12 five-second phases, inside the (hourly) slot.
    expect((row?.boundaryOffsetSeconds ?? -1) % 5).toBe(0);
    expect(row?.boundaryOffsetSeconds).toBeLessThan(60);
    const events = await db.select().from(schema.events).where(eq(schema.events.testId, test.id));
    expect(events.map((e) => e.type)).toEqual(["created"]);
  });

  it("takes every variant from the request when the live title is left out", async () => {
    const test = await createDraft(alice, {
      includeCurrentTitle: false,
      titles: ["Variant zero", "Variant one", "Variant two", "Variant three", "Variant four"],
      metric: "ctr",
      intervalMinutes: 1440,
      autoApply: false,
    });
    expect(test.titles.map((t) => t.text)).toEqual([
      "Variant zero",
      "Variant one",
      "Variant two",
      "Variant three",
      "Variant four",
    ]);
    expect(test).toMatchObject({ metric: "ctr", intervalMinutes: 1440, autoApply: false });
    expect(test.videoTitleOriginal).toBe("First upload");
  });

  it("counts title length in characters, not UTF-16 units (100 emoji fit)", async () => {
    const emoji = "🍞".repeat(100);
    const test = await createDraft(alice, { titles: [emoji] });
    expect(test.titles[1]?.text).toBe(emoji);
  });

  it("keeps a requested start and end on the draft", async () => {
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    const endAt = new Date(Date.now() + 5 * 24 * 3_600_000).toISOString();
    const test = await createDraft(alice, { startAt, endAt });
    expect(new Date(test.startsAt as string).toISOString()).toBe(startAt);
    expect(new Date(test.endsAt as string).toISOString()).toBe(endAt);
  });
});

describe("reading tests", () => {
  let bob: TestCreator;
  let first: TestJson;
  let second: TestJson;

  beforeAll(async () => {
    bob = await creator(db);
    first = await createDraft(bob, { videoId: bob.videoIds[0] });
    second = await createDraft(bob, { videoId: bob.videoIds[1] });
    await setTest(db, second.id, {
      status: "running",
      currentVariant: 2,
      leaderVariant: 1,
      leaderPBest: 0.7,
    });
  });

  it("lists the creator's tests newest first with live title and leader", async () => {
    const list = await expectJson<{ items: (TestJson & Record<string, unknown>)[] }>(
      await call(bob, "GET", "/api/tests"),
      200,
    );
    expect(list.items.map((t) => t.id)).toEqual([second.id, first.id]);
    expect(list.items[0]).toMatchObject({
      status: "running",
      currentVariant: 2,
      currentTitle: "A bolder title",
      leaderVariant: 1,
      leaderPBest: 0.7,
    });
    expect(list.items[1]?.titles).toHaveLength(3);
  });

  it("filters the list by status", async () => {
    const drafts = await expectJson<{ items: TestJson[] }>(
      await call(bob, "GET", "/api/tests?status=draft"),
      200,
    );
    expect(drafts.items.map((t) => t.id)).toEqual([first.id]);
    const both = await expectJson<{ items: TestJson[] }>(
      await call(bob, "GET", "/api/tests?status=running,draft&limit=1"),
      200,
    );
    expect(both.items.map((t) => t.id)).toEqual([second.id]);
  });

  it("answers one test with its titles and latest events", async () => {
    const test = await expectJson<TestJson>(await call(bob, "GET", `/api/tests/${first.id}`), 200);
    expect(test.id).toBe(first.id);
    expect(test.titles.map((t) => t.variant)).toEqual([0, 1, 2]);
    expect(test.events?.map((e) => e.type)).toEqual(["created"]);
  });
});

describe("editing and deleting drafts", () => {
  it("renames variants, moves the end and turns auto-apply off, recording an edited event", async () => {
    const draft = await createDraft(alice);
    const endAt = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();
    const res = await call(alice, "PATCH", `/api/tests/${draft.id}`, {
      titles: [{ variant: 2, text: "A braver title" }],
      endAt,
      autoApply: false,
    });
    const test = await expectJson<TestJson>(res, 200);
    expect(test.titles[2]).toEqual({ variant: 2, text: "A braver title" });
    expect(test.titles[1]).toEqual({ variant: 1, text: "A sharper title" });
    expect(new Date(test.endsAt as string).toISOString()).toBe(endAt);
    expect(test.autoApply).toBe(false);
    const read = await expectJson<TestJson>(await call(alice, "GET", `/api/tests/${draft.id}`), 200);
    expect(read.events?.[0]).toMatchObject({ type: "edited", data: { autoApply: false, endsAt: endAt } });
  });

  it("moves the end of a running test, in Postgres and in its rotator", async () => {
    const draft = await createDraft(alice, { videoId: await addVideo(alice, "Running video") });
    const started = await expectJson<TestJson>(
      await call(alice, "POST", `/api/tests/${draft.id}/start`),
      200,
    );
    const startedAt = new Date(started.startsAt as string);
    const endAt = hoursAfter(startedAt, 24 * 20).toISOString();
    const test = await expectJson<TestJson>(
      await call(alice, "PATCH", `/api/tests/${draft.id}`, { endAt }),
      200,
    );
    expect(new Date(test.endsAt as string).toISOString()).toBe(endAt);
    const amended = (await testRotator(env, draft.id).history()).find((e) => e.step === "amended");
    expect(JSON.parse(amended?.data ?? "{}")).toEqual({ endsAt: Date.parse(endAt) });
    // Stop it and let its last step (the original title back) finish before the next test counts rows.
    await call(alice, "POST", `/api/tests/${draft.id}/stop`);
    await runDurableObjectAlarm(testRotator(env, draft.id));
    expect((await testRotator(env, draft.id).view())?.nextStepAt).toBeNull();
  });

  it("deletes a draft with its titles and events", async () => {
    const draft = await createDraft(alice);
    const before = await rowCounts(db, alice.id);
    const res = await call(alice, "DELETE", `/api/tests/${draft.id}`);
    expect(res.status).toBe(204);
    expect(await testRow(db, draft.id)).toBeUndefined();
    const after = await rowCounts(db, alice.id);
    expect(after).toEqual({
      tests: before.tests - 1,
      titles: before.titles - 3,
      slots: before.slots,
      events: before.events - 1,
    });
    expect((await call(alice, "GET", `/api/tests/${draft.id}`)).status).toBe(404);
  });
});

/** Two full blocks of three hourly slots (variant 2 earns most), then an open slot. */
function twoBlocks(start: Date) {
  const order = [
    [0, 1, 2],
    [2, 0, 1],
  ];
  const perHour = [100, 110, 160];
  const rows = [];
  let views = 1_000;
  let index = 0;
  for (const [block, variants] of order.entries()) {
    for (const variant of variants) {
      const gained = perHour[variant] as number;
      rows.push({
        slotIndex: index,
        variant,
        block,
        startedAt: hoursAfter(start, index),
        endedAt: hoursAfter(start, index + 1),
        viewsStart: views,
        viewsEnd: views + gained,
      });
      views += gained;
      index += 1;
    }
  }
  rows.push({
    slotIndex: index,
    variant: 1,
    block: 2,
    startedAt: hoursAfter(start, index),
    endedAt: null,
    viewsStart: views,
    viewsEnd: null,
  });
  return rows;
}

interface ResultsJson {
  analysis: {
    variants: { variant: number; count: number; exposure: number; rate: number }[];
    decision: string;
    blocksComplete: number;
  };
  series: {
    slotIndex: number;
    variant: number;
    viewsEnd: number | null;
    count: number | null;
    exposure: number | null;
    rate: number | null;
  }[];
  titles: { variant: number; text: string }[];
}

describe("results and export", () => {
  let test: TestJson;
  const start = new Date(Date.UTC(2026, 10, 20, 10));

  beforeAll(async () => {
    test = await createDraft(alice, {
      videoId: await addVideo(alice, "Results video"),
      includeCurrentTitle: false,
      titles: ['=HYPERLINK("http://evil")', "Plain, with a comma", '+1 "quoted" title'],
    });
    await setTest(db, test.id, { status: "running", startsAt: start, startedAt: start, currentVariant: 1 });
    await insertSlots(db, test.id, twoBlocks(start));
  });

  it("answers the analysis of closed slots and a series with the open slot", async () => {
    const results = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${test.id}/results`),
      200,
    );
    expect(results.analysis.blocksComplete).toBe(2);
    expect(results.analysis.variants.map((v) => [v.variant, v.count, v.exposure])).toEqual([
      [0, 200, 2],
      [1, 220, 2],
      [2, 320, 2],
    ]);
    expect(results.series).toHaveLength(7);
    expect(results.series[0]).toMatchObject({ slotIndex: 0, variant: 0, count: 100, exposure: 1, rate: 100 });
    const open = results.series[6];
    expect(open).toMatchObject({ slotIndex: 6, variant: 1, count: null, viewsEnd: null, rate: null });
    expect(open?.exposure).toBeGreaterThan(0);
    expect(results.titles.map((t) => t.variant)).toEqual([0, 1, 2]);
  });

  it("reads them in one SQL request of two statements, the session's check and the results", async () => {
    const before = (await requestsAtProxy()).total;
    await expectJson<ResultsJson>(await call(alice, "GET", `/api/tests/${test.id}/results`), 200);
    const requests = await requestsSince(before);
    expect(requests.map((r) => [r.batch, r.statements.length, r.status])).toEqual([[true, 2, 200]]);
  });

  it("carries a slot's values as Postgres holds them: micro-second times to the ms, counts past 2^32", async () => {
    const exact = await createDraft(alice, { videoId: await addVideo(alice, "Exact video") });
    await setTest(db, exact.id, { status: "running", startsAt: start, startedAt: start });
    await insertSlots(db, exact.id, [
      { slotIndex: 0, variant: 0, block: 0, startedAt: start, endedAt: start, viewsStart: 0, viewsEnd: 0 },
    ]);
    await db.execute(sql`
      update slots set started_at = '2026-11-20 10:00:00.123456+00', ended_at = '2026-11-20 11:30:00.987654+00',
        views_start = 5000000000, views_end = 5000000321
      where test_id = ${exact.id}`);
    const results = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${exact.id}/results`),
      200,
    );
    const hours =
      (Date.UTC(2026, 10, 20, 11, 30, 0, 987) - Date.UTC(2026, 10, 20, 10, 0, 0, 123)) / 3_600_000;
    expect(results.series).toEqual([
      {
        slotIndex: 0,
        variant: 0,
        block: 0,
        startedAt: "2026-11-20T10:00:00.123Z",
        endedAt: "2026-11-20T11:30:00.987Z",
        viewsStart: 5_000_000_000,
        viewsEnd: 5_000_000_321,
        count: 321,
        exposure: hours,
        rate: 321 / hours,
      },
    ]);
  });

  it("leaves a day out of a watch-time analysis until its minutes arrive, as the rotator does", async () => {
    const daily = await createDraft(alice, {
      videoId: await addVideo(alice, "Watch-time video"),
      titles: ["A longer watch"],
      metric: "watch_time",
      intervalMinutes: 1440,
    });
    // Four Pacific days from 2026-01-05, one round of each order.
    const start = scheduleMidnight(0);
    await setTest(db, daily.id, { status: "running", startsAt: start, startedAt: start });
    await insertSlots(db, daily.id, scheduleSlots([0, 1, 1, 0]));
    // The last day's impressions are in, its minutes watched not yet.
    const minutes = [1_200, 1_500, 1_400, null];
    await db.insert(schema.analyticsPolls).values(
      minutes.map((watchMinutes, i) => ({
        testId: daily.id,
        kind: "daily" as const,
        day: scheduleDay(i),
        impressions: 5_000,
        ctr: 0.05,
        watchMinutes,
      })),
    );
    const results = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${daily.id}/results`),
      200,
    );
    expect(results.analysis.variants.map((v) => [v.variant, v.count, v.exposure])).toEqual([
      [0, 1_200, 24],
      [1, 2_900, 48],
    ]);
    // The chart's series and the export speak the test's metric, the day still due left blank.
    expect(results.series.map((p) => [p.count, p.exposure, p.rate])).toEqual([
      [1_200, 24, 50],
      [1_500, 24, 62.5],
      [1_400, 24, 1_400 / 24],
      [null, null, null],
    ]);
    const csv = (await (await call(alice, "GET", `/api/tests/${daily.id}/export.csv`)).text()).split("\r\n");
    expect(csv[0]).toBe(
      "slot,variant,title,block,started_at,ended_at,minutes_watched,hours,minutes_per_hour",
    );
    expect(csv[2]).toMatch(/,1500,24,62\.5$/);
    expect(csv[4]).toMatch(/,,,$/);
  });

  it("answers empty results for a test without slots", async () => {
    const draft = await createDraft(alice);
    const results = await expectJson<ResultsJson>(
      await call(alice, "GET", `/api/tests/${draft.id}/results`),
      200,
    );
    expect(results.analysis).toMatchObject({ decision: "collecting", blocksComplete: 0 });
    expect(results.analysis.variants.map((v) => v.count)).toEqual([0, 0, 0]);
    expect(results.series).toEqual([]);
    const csv = await call(alice, "GET", `/api/tests/${draft.id}/export.csv`);
    expect(await csv.text()).toBe(
      "slot,variant,title,block,started_at,ended_at,views,hours,views_per_hour\r\n",
    );
  });

  it("exports one CSV row per slot, quoted per RFC 4180 and defused against formulas", async () => {
    const res = await call(alice, "GET", `/api/tests/${test.id}/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="test-${test.id}.csv"`);
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("slot,variant,title,block,started_at,ended_at,views,hours,views_per_hour");
    expect(lines).toHaveLength(1 + 7 + 1); // header, slots, and the empty string after the last CRLF
    expect(lines[1]).toBe(
      `0,0,"'=HYPERLINK(""http://evil"")",0,${start.toISOString()},${hoursAfter(start, 1).toISOString()},100,1,100`,
    );
    expect(lines[2]).toBe(
      `1,1,"Plain, with a comma",0,${hoursAfter(start, 1).toISOString()},${hoursAfter(start, 2).toISOString()},110,1,110`,
    );
    expect(lines[3]).toContain(`,"'+1 ""quoted"" title",`);
    // The open slot: no end, no views yet.
    expect(lines[7]).toMatch(/^6,1,"Plain, with a comma",2,[^,]+,,,[0-9.]+,$/);
  });
});

describe("CSV cells", () => {
  it("defuses every formula lead and quotes only what needs quoting", () => {
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tTabbed")).toBe("'\tTabbed");
    expect(csvCell("=1,2")).toBe(`"'=1,2"`);
    expect(csvCell("line\r\nbreak")).toBe(`"line\r\nbreak"`);
    expect(csvCell("Plain title")).toBe("Plain title");
    expect(csvCell(-1.5)).toBe("-1.5");
    expect(csvCell(null)).toBe("");
  });
});

describe("dashboard", () => {
  it("sums live tests, views during tests and outcomes of the creator's tests only", async () => {
    const carol = await creator(db);
    const running = await createDraft(carol, { videoId: carol.videoIds[0] });
    await setTest(db, running.id, { status: "running" });
    const start = new Date(Date.UTC(2026, 10, 1));
    await insertSlots(db, running.id, twoBlocks(start)); // 740 views in closed slots
    const outcomes = [
      { decision: "winner", winnerVariant: 1, winnerLift: 0.2 },
      { decision: "winner", winnerVariant: 2, winnerLift: 0.4 },
      { decision: "same", winnerVariant: null, winnerLift: null },
      { decision: "inconclusive", winnerVariant: null, winnerLift: null },
    ] as const;
    for (const outcome of outcomes) {
      const done = await createDraft(carol, { videoId: carol.videoIds[1] });
      await setTest(db, done.id, { status: "completed", ...outcome });
    }
    await createDraft(carol, { videoId: carol.videoIds[1] });
    // Another creator's figures must not leak in.
    const other = await creator(db);
    const theirs = await createDraft(other);
    await setTest(db, theirs.id, {
      status: "completed",
      decision: "winner",
      winnerVariant: 1,
      winnerLift: 5,
    });

    // Outcomes and views come from the rollup (hourly, and when a test finishes): before it, zeros.
    const before = await expectJson<Record<string, unknown>>(await call(carol, "GET", "/api/dashboard"), 200);
    expect(before).toMatchObject({ activeTests: 1, viewsDuringTests: 0, statsAsOf: null, won: 0 });
    await rollupUserStats(db, carol.id);
    const dashboard = await expectJson<Record<string, unknown>>(
      await call(carol, "GET", "/api/dashboard"),
      200,
    );
    expect(dashboard).toEqual({
      activeTests: 1,
      viewsDuringTests: 740,
      statsAsOf: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      averageWinLift: expect.closeTo(0.3, 10),
      won: 2,
      same: 1,
      inconclusive: 1,
      byStatus: { running: 1, completed: 4, draft: 1 },
    });
  });
});
