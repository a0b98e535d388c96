import { describe, expect, it } from "vitest";
import { winnerMail } from "../../worker/notifications/templates/test-verdict";
import type { DailyRecord } from "../../worker/title-tests/analysis";
import { resultsCsv, resultsOf } from "../../worker/title-tests/results";
import { dailySlot, pstMidnight } from "../shared/daily-slots";

const slot = (index: number, variant: number, start: string, end: string | null) =>
  dailySlot(index, variant, start, end, 480);
const days = new Map<string, DailyRecord>([
  ["2026-03-01", { day: "2026-03-01", impressions: 10_000, ctr: 0.05, clicks: 512, watchMinutes: 1_200 }],
  ["2026-03-02", { day: "2026-03-02", impressions: 8_000, ctr: 0.0625, watchMinutes: 900.4 }],
]);
const records = [
  slot(0, 0, "2026-03-01", "2026-03-02"),
  slot(1, 1, "2026-03-02", "2026-03-03"),
  slot(2, 1, "2026-03-03", "2026-03-04"), // its day's figures have not arrived
  slot(3, 0, "2026-03-04", null), // still open
];
const titles = [
  { variant: 0, text: "Original" },
  { variant: 1, text: "Challenger" },
];
const now = pstMidnight("2026-03-04").getTime() + 6 * 3_600_000;

const results = (metric: "views" | "ctr" | "watch_time") =>
  resultsOf(titles, records, { final: false, now, metric, days });

describe("the series carries each slot's figures by the test's metric", () => {
  it("a CTR test's slots: the reach report's clicks over impressions, null while a day is due", () => {
    expect(results("ctr").series.map((p) => [p.count, p.exposure, p.rate])).toEqual([
      [512, 10_000, 0.0512],
      [500, 8_000, 0.0625],
      [null, null, null],
      [null, null, null],
    ]);
  });

  it("a watch-time test's slots: minutes watched over the hours live", () => {
    expect(results("watch_time").series.map((p) => [p.count, p.exposure, p.rate])).toEqual([
      [1_200, 24, 50],
      [900, 24, 37.5],
      [null, null, null],
      [null, null, null],
    ]);
  });

  it("a views test's slots: views over hours, the open one's hours up to now", () => {
    expect(results("views").series.map((p) => [p.count, p.exposure, p.rate])).toEqual([
      [480, 24, 20],
      [480, 24, 20],
      [480, 24, 20],
      [null, 6, null],
    ]);
  });

  it("keeps each slot's view counter at its start and end for every metric", () => {
    expect(results("ctr").series.map((p) => [p.viewsStart, p.viewsEnd])).toEqual([
      [0, 480],
      [0, 480],
      [0, 480],
      [0, null],
    ]);
  });
});

describe("the CSV export names its columns by the test's metric", () => {
  it("a CTR test: clicks, impressions and CTR per slot, never views", () => {
    const lines = resultsCsv(results("ctr"), "ctr").split("\r\n");
    expect(lines[0]).toBe("slot,variant,title,block,started_at,ended_at,clicks,impressions,ctr");
    expect(lines[1]).toBe(
      "0,0,Original,0,2026-03-01T08:00:00.000Z,2026-03-02T08:00:00.000Z,512,10000,0.0512",
    );
    expect(lines[3]).toBe("2,1,Challenger,1,2026-03-03T08:00:00.000Z,2026-03-04T08:00:00.000Z,,,");
    expect(lines.join("\n")).not.toMatch(/views/);
  });

  it("a watch-time test: minutes watched, hours and minutes per hour", () => {
    const lines = resultsCsv(results("watch_time"), "watch_time").split("\r\n");
    expect(lines[0]).toBe(
      "slot,variant,title,block,started_at,ended_at,minutes_watched,hours,minutes_per_hour",
    );
    expect(lines[2]).toBe("1,1,Challenger,0,2026-03-02T08:00:00.000Z,2026-03-03T08:00:00.000Z,900,24,37.5");
  });

  it("a views test keeps its columns", () => {
    const lines = resultsCsv(results("views")).split("\r\n");
    expect(lines[0]).toBe("slot,variant,title,block,started_at,ended_at,views,hours,views_per_hour");
    expect(lines[4]).toBe("3,0,Original,1,2026-03-04T08:00:00.000Z,,,6,");
  });
});

describe("the verdict mail says the lift in the test's metric", () => {
  const facts = {
    videoTitle: "Knives",
    decision: "winner" as const,
    winnerTitle: "Challenger",
    winnerLift: 0.18,
    applied: true,
    autoApply: true,
    knows: "",
    testUrl: "https://example.test/tests/1",
  };
  it("names the metric and never views per hour for a CTR or watch-time test", () => {
    const first = (metric: "views" | "ctr" | "watch_time") => winnerMail({ ...facts, metric }).paragraphs[0];
    expect(first("ctr")).toContain("(+18 % click-through rate over the original)");
    expect(first("watch_time")).toContain("(+18 % minutes watched per hour over the original)");
    expect(first("views")).toContain("(+18 % views per hour over the original)");
  });
});
