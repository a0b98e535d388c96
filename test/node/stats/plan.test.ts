import { describe, expect, it } from "vitest";
import { crossingChance, planTest } from "../../../worker/stats/plan";

const flat = (views: number, days = 14): number[] => Array.from({ length: days }, () => views);

describe("planTest", () => {
  it("agrees with the calibration grid's typical test (2 titles, hourly, 500 views a day)", () => {
    // The grid (bench/results/stats.json) finds +50 % in a median 2.7 days and +20 % in
    // about 58 % of runs within 14 days; the planner's approximation says 2.3 and 11 days.
    const plan = planTest({ dailyViews: flat(500), variants: 2, intervalMinutes: 60 });
    const [ten, twenty, fifty] = plan.effects;
    expect(fifty?.medianDays).toBeGreaterThanOrEqual(1.5);
    expect(fifty?.medianDays).toBeLessThanOrEqual(4.5);
    expect(twenty?.medianDays).toBeLessThanOrEqual(14);
    expect(ten?.medianDays ?? 31).toBeGreaterThan(twenty?.medianDays ?? 0);
    expect(fifty?.likelyDays).toBeGreaterThan(fifty?.medianDays ?? 0);
    expect(plan.advice).toEqual([]);
  });

  it("needs longer for less traffic, more titles and burstier hours", () => {
    const base = planTest({ dailyViews: flat(500), variants: 2, intervalMinutes: 60 });
    const less = planTest({ dailyViews: flat(100), variants: 2, intervalMinutes: 60 });
    const more = planTest({ dailyViews: flat(500), variants: 5, intervalMinutes: 60 });
    const bursty = planTest({ dailyViews: flat(500), variants: 2, intervalMinutes: 60, burstShape: 1 });
    const fifty = (p: typeof base): number => p.effects[2]?.medianDays ?? 99;
    expect(fifty(less)).toBeGreaterThan(fifty(base));
    expect(fifty(more)).toBeGreaterThan(fifty(base));
    expect(fifty(bursty)).toBeGreaterThan(fifty(base));
    expect(more.advice.map((a) => a.code)).toContain("fewer-titles");
  });

  it("reads the level and the decline from recent views", () => {
    const decaying = Array.from({ length: 14 }, (_, i) => 1000 * 2 ** (-i / 7));
    const plan = planTest({ dailyViews: decaying, variants: 2, intervalMinutes: 60 });
    expect(plan.halfLifeDays).toBeGreaterThan(6);
    expect(plan.halfLifeDays).toBeLessThan(8);
    expect(plan.viewsPerDay).toBeCloseTo(1000 * 2 ** (-13 / 7), -1);
    expect(planTest({ dailyViews: [10, 20, 40], variants: 2, intervalMinutes: 60 }).halfLifeDays).toBeNull();
  });

  it("says when a video has too little traffic and when slots are too short to see a view", () => {
    const plan = planTest({ dailyViews: flat(20), variants: 2, intervalMinutes: 15 });
    const codes = plan.advice.map((a) => a.code);
    expect(codes).toContain("too-little-traffic");
    expect(codes).toContain("longer-interval");
    expect(plan.smallestLikelyLift).toBeGreaterThan(0.3);
    expect(plan.advice.find((a) => a.code === "too-little-traffic")?.message).toMatch(/within 30 days/);
    const none = planTest({ dailyViews: flat(0), variants: 2, intervalMinutes: 60 });
    expect(none.smallestLikelyLift).toBeNull();
    expect(none.effects.every((e) => e.medianDays === null)).toBe(true);
  });

  it("advises a shorter interval for daily slots on a busy video", () => {
    const plan = planTest({ dailyViews: flat(50_000), variants: 2, intervalMinutes: 1440, burstShape: 1 });
    expect(plan.advice.map((a) => a.code)).toContain("shorter-interval");
  });

  it("plans no decision before the engine can make one: K blocks, so the variance has a df", () => {
    // A huge, smooth video: the evidence is overwhelming at once, so the first possible look
    // decides. Five titles every 15 minutes: blocks of 1.25 h, the first decision after 5.
    const plan = planTest({ dailyViews: flat(1e7), variants: 5, intervalMinutes: 15, burstShape: 1e9 });
    expect(plan.effects[2]?.medianDays).toBeGreaterThanOrEqual((5 * 1.25) / 24);
  });

  it("rejects input out of range with a RangeError", () => {
    expect(() => planTest({ dailyViews: [], variants: 2, intervalMinutes: 60 })).toThrow(RangeError);
    expect(() => planTest({ dailyViews: [-1], variants: 2, intervalMinutes: 60 })).toThrow(RangeError);
    expect(() => planTest({ dailyViews: [10], variants: 6, intervalMinutes: 60 })).toThrow(RangeError);
    expect(() => planTest({ dailyViews: [10], variants: 2, intervalMinutes: 5 })).toThrow(RangeError);
    expect(() => planTest({ dailyViews: [Number.NaN], variants: 2, intervalMinutes: 60 })).toThrow(
      RangeError,
    );
  });
});

describe("crossingChance", () => {
  it("is a half at the boundary's fixed-time point plus the chance of an earlier crossing", () => {
    expect(crossingChance(3, 3)).toBeGreaterThan(0.5);
    expect(crossingChance(0, 3)).toBeCloseTo(2 * (1 - 0.99865), 4);
    expect(crossingChance(10, 3)).toBeCloseTo(1, 9);
    expect(crossingChance(2, Number.POSITIVE_INFINITY)).toBe(0);
  });
});
