import { describe, expect, it } from "vitest";
import { accruedSinceCreation } from "../../emulator/accrual-cache";
import { ANALYTICS_DELAY_MS } from "../../emulator/analytics";
import { nextDay, pacificDay, pacificDayStart, pacificHour } from "../../emulator/pacific-time";
import { accrue, hiddenCtr, type SimVideo, type TitleSpan } from "../../emulator/simulation";
import {
  admin,
  call,
  type GoogleErrorBody,
  type ListBody,
  signIn,
  type VideoItem,
  withToken,
  world,
} from "./fixtures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1, 12); // a Monday in June, PDT

const video = (over: Partial<SimVideo> = {}): SimVideo => ({
  seed: 42,
  viewsPerDay: 5000,
  publishedAt: T0 - 3 * DAY,
  createdAt: T0,
  durationSeconds: 600,
  ...over,
});

describe("Pacific time", () => {
  it("knows DST: Pacific midnight is 08:00 UTC in winter and 07:00 UTC in summer", () => {
    expect(new Date(pacificDayStart("2026-01-15")).toISOString()).toBe("2026-01-15T08:00:00.000Z");
    expect(new Date(pacificDayStart("2026-07-15")).toISOString()).toBe("2026-07-15T07:00:00.000Z");
    // The spring-forward day has 23 hours, the fall-back day 25.
    expect(pacificDayStart("2026-03-09") - pacificDayStart("2026-03-08")).toBe(23 * HOUR);
    expect(pacificDayStart("2026-11-02") - pacificDayStart("2026-11-01")).toBe(25 * HOUR);
    expect(pacificDay(Date.UTC(2026, 0, 15, 7, 59))).toBe("2026-01-14");
    expect(pacificHour(Date.UTC(2026, 6, 15, 7))).toBe(0);
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
  });
});

describe("viewer simulation (pure)", () => {
  const titles: TitleSpan[] = [
    { title: "Original", effectiveAt: T0 - 3 * DAY },
    { title: "Variant B", effectiveAt: T0 + 5 * HOUR + 17 * 60_000 },
    { title: "Original", effectiveAt: T0 + 9 * HOUR + 2 * 60_000 },
  ];

  it("gives the same counts when read twice", () => {
    const a = accrue(video(), titles, [], T0, T0 + 30 * HOUR + 123_456);
    const b = accrue(video(), titles, [], T0, T0 + 30 * HOUR + 123_456);
    expect(a).toEqual(b);
    expect(a.views).toBeGreaterThan(0);
  });

  it("never lets views, impressions or watch time go down as time passes, across title changes", () => {
    let prev = { views: 0, impressions: 0, watchSeconds: 0 };
    for (let t = T0; t <= T0 + 36 * HOUR; t += 7 * 60_000 + 13_000) {
      const now = accrue(video(), titles, [], T0, t);
      expect(now.views).toBeGreaterThanOrEqual(prev.views);
      expect(now.impressions).toBeGreaterThanOrEqual(prev.impressions);
      expect(now.watchSeconds).toBeGreaterThanOrEqual(prev.watchSeconds);
      prev = now;
    }
  });

  it("keeps views = clicks on impressions: views never exceed impressions and their ratio is the CTR", () => {
    const one: TitleSpan[] = [{ title: "Only title", effectiveAt: T0 - DAY }];
    const a = accrue(video(), one, [], T0, T0 + 14 * DAY);
    expect(a.views).toBeLessThanOrEqual(a.impressions);
    expect(a.views / a.impressions).toBeCloseTo(hiddenCtr("Only title"), 3);
  });

  it("earns more views with a higher hidden CTR over a long window", () => {
    const overrides = [
      { title: "Weak", ctr: 0.03, from: 0 },
      { title: "Strong", ctr: 0.06, from: 0 },
    ];
    const weak = accrue(video(), [{ title: "Weak", effectiveAt: 0 }], overrides, T0, T0 + 14 * DAY);
    const strong = accrue(video(), [{ title: "Strong", effectiveAt: 0 }], overrides, T0, T0 + 14 * DAY);
    // Same seed, same traffic: the impressions are identical, the views follow the CTR.
    expect(strong.impressions).toBe(weak.impressions);
    expect(strong.views / weak.views).toBeGreaterThan(1.8);
    expect(strong.views / weak.views).toBeLessThan(2.2);
  });

  it("follows a diurnal curve (evening peak in Pacific time) and decays with age", () => {
    const one: TitleSpan[] = [{ title: "T", effectiveAt: 0 }];
    const v = video({ viewsPerDay: 100_000, createdAt: T0 - 40 * DAY, publishedAt: T0 - 41 * DAY });
    let evening = 0;
    let morning = 0;
    for (let d = 0; d < 14; d++) {
      const day = pacificDayStart(pacificDay(T0 + d * DAY));
      evening += accrue(v, one, [], day + 18 * HOUR, day + 21 * HOUR).views;
      morning += accrue(v, one, [], day + 5 * HOUR, day + 8 * HOUR).views;
    }
    expect(evening).toBeGreaterThan(morning * 1.5);
    const firstWeek = accrue(v, one, [], T0 - 40 * DAY, T0 - 33 * DAY).views;
    const laterWeek = accrue(v, one, [], T0 - 7 * DAY, T0).views;
    expect(laterWeek).toBeLessThan(firstWeek);
  });

  it("is over-dispersed: hourly counts vary more than Poisson", () => {
    const one: TitleSpan[] = [{ title: "T", effectiveAt: 0 }];
    // Compare the same Pacific hour across 60 days to remove the diurnal curve.
    const counts: number[] = [];
    const v = video({ viewsPerDay: 24_000, publishedAt: T0 - 1000 * DAY });
    for (let d = 0; d < 60; d++) {
      const start = pacificDayStart(pacificDay(T0 + d * DAY)) + 12 * HOUR;
      counts.push(accrue(v, one, [], start, start + HOUR).views);
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1);
    expect(variance / mean).toBeGreaterThan(2);
  });
});

describe("simulation through the API", () => {
  it("accrues views per the title live at each moment: a higher-CTR title earns more", async () => {
    const w = await world({ videoCount: 2, video: { viewsPerDay: 20_000, seed: 7 } });
    const [a, b] = w.videos as [{ id: string; title: string }, { id: string; title: string }];
    await admin("PUT", "/ctr", { videoId: a.id, title: a.title, ctr: 0.02 });
    await admin("PUT", "/ctr", { videoId: b.id, title: b.title, ctr: 0.08 });
    const views = async () => {
      const res = await call<ListBody<VideoItem>>(
        `/youtube/v3/videos?part=statistics&id=${a.id},${b.id}&key=${w.project.apiKey}`,
      );
      const byId = new Map(res.body.items.map((i) => [i.id, Number(i.statistics?.viewCount)]));
      return [byId.get(a.id) ?? 0, byId.get(b.id) ?? 0];
    };
    const before = await views();
    await admin("PUT", "/clock", { advanceSeconds: 7 * 86_400 });
    const after = await views();
    const gainA = (after[0] ?? 0) - (before[0] ?? 0);
    const gainB = (after[1] ?? 0) - (before[1] ?? 0);
    expect(gainA).toBeGreaterThan(0);
    expect(gainB).toBeGreaterThan(gainA * 2);
    // Read twice: identical.
    const again = await views();
    expect(again[0]).toBeGreaterThanOrEqual(after[0] ?? 0);
  });

  it("leaves days out of Analytics until 48 hours after they end, and agrees with the view counts", async () => {
    const w = await world({ videoCount: 1, video: { viewsPerDay: 8_000 } });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    const clock = await admin<{ nowMs: number }>("GET", "/clock");
    const firstDay = pacificDay(clock.nowMs);
    const stats = async () =>
      Number(
        (
          await call<ListBody<VideoItem>>(
            `/youtube/v3/videos?part=statistics&id=${id}&key=${w.project.apiKey}`,
          )
        ).body.items[0]?.statistics?.viewCount,
      );
    const viewsAtStart = await stats();
    const lastDay = (() => {
      let d = firstDay;
      for (let i = 0; i < 4; i++) d = nextDay(d);
      return d;
    })();
    const report = async () =>
      withToken<{
        kind: string;
        columnHeaders: { name: string; columnType: string; dataType: string }[];
        rows?: (string | number)[][];
      }>(
        `/v2/reports?ids=channel==MINE&startDate=${firstDay}&endDate=${lastDay}&metrics=views,estimatedMinutesWatched,averageViewDuration&dimensions=day&filters=video==${id}`,
        tokens.access_token,
      );
    const early = await report();
    expect(early.status).toBe(200);
    expect(early.body.kind).toBe("youtubeAnalytics#resultTable");
    expect(early.body.rows).toBeUndefined();
    expect(early.body.columnHeaders).toEqual([
      { name: "day", columnType: "DIMENSION", dataType: "STRING" },
      { name: "views", columnType: "METRIC", dataType: "INTEGER" },
      { name: "estimatedMinutesWatched", columnType: "METRIC", dataType: "INTEGER" },
      { name: "averageViewDuration", columnType: "METRIC", dataType: "INTEGER" },
    ]);

    // Jump to just before the second day's data is due: only the first day is there.
    const secondDayEnd = pacificDayStart(nextDay(nextDay(firstDay)));
    const now = (await admin<{ nowMs: number }>("GET", "/clock")).nowMs;
    await admin("PUT", "/clock", {
      advanceSeconds: Math.ceil((secondDayEnd + ANALYTICS_DELAY_MS - now) / 1000) - 60,
    });
    const partial = await report();
    expect(partial.body.rows?.map((r) => r[0])).toEqual([firstDay]);

    await admin("PUT", "/clock", { advanceSeconds: 120 });
    const full = await report();
    const rows = full.body.rows ?? [];
    expect(rows.map((r) => r[0])).toEqual([firstDay, nextDay(firstDay)]);
    for (const row of rows) {
      const [, views, minutes, avg] = row as [string, number, number, number];
      if (views > 0) expect(avg).toBeGreaterThan(0);
      expect(minutes).toBeGreaterThanOrEqual(0);
    }
    // Views of whole days after the video entered the emulator can't exceed its count growth.
    const total = rows.reduce((s, r) => s + Number(r[1]), 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual((await stats()) - viewsAtStart);
  });

  it("runs simulated time at the configured speed, re-anchored so it never jumps back", async () => {
    const realStart = Date.now();
    const start = await admin<{ nowMs: number; speed: number }>("PUT", "/clock", { speed: 3600 });
    try {
      expect(start.speed).toBe(3600);
      await new Promise((r) => setTimeout(r, 250));
      const later = await admin<{ nowMs: number }>("GET", "/clock");
      const realElapsed = Date.now() - realStart;
      // A real second is a simulated hour: at least the 250 ms slept, at most all the real time that
      // passed (plus a second of slack for clock granularity: a bound on behaviour, not on timing).
      expect(later.nowMs - start.nowMs).toBeGreaterThanOrEqual(240 * 3600);
      expect(later.nowMs - start.nowMs).toBeLessThanOrEqual((realElapsed + 1000) * 3600);
    } finally {
      const slow = await admin<{ nowMs: number; speed: number }>("PUT", "/clock", { speed: 1 });
      expect(slow.speed).toBe(1);
      const after = await admin<{ nowMs: number }>("GET", "/clock");
      expect(after.nowMs).toBeGreaterThanOrEqual(slow.nowMs);
    }
  });

  it("answers Google's 400 for an unknown metric", async () => {
    const w = await world({ videoCount: 1 });
    const tokens = await signIn(w);
    const res = await withToken<GoogleErrorBody>(
      "/v2/reports?ids=channel==MINE&startDate=2026-01-01&endDate=2026-01-02&metrics=likes2",
      tokens.access_token,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Unknown identifier (likes2) given in field parameters.metrics.");
  });
});

describe("accrual checkpoints", () => {
  it("give the same counts as integrating the whole life, read at any times", () => {
    const v = video({ createdAt: T0 + 17 * 60_000 });
    const titles: TitleSpan[] = [
      { title: "A", effectiveAt: 0 },
      { title: "B", effectiveAt: T0 + 50 * HOUR + 120_000 },
    ];
    const id = `checkpoint-${Math.random()}`;
    for (const t of [
      T0 + 20 * 60_000,
      T0 + 3 * HOUR,
      T0 + 3 * HOUR + 5,
      T0 + 49 * HOUR,
      T0 + 80 * HOUR + 999,
      T0 + 400 * HOUR,
    ]) {
      expect(accruedSinceCreation(id, v, titles, [], t)).toEqual(accrue(v, titles, [], v.createdAt, t));
    }
  });
});
