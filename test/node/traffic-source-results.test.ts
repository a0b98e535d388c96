import { describe, expect, it } from "vitest";
import { resultsCsv } from "../../worker/title-tests/results";
import {
  finalDayRange,
  type TrafficSourceDay,
  trafficSourceResults,
} from "../../worker/title-tests/traffic-sources";
import { scheduleDay, scheduleMidnight, scheduleSlots } from "../shared/daily-slots";

/** Search views doubled on the challenger's days, Suggested the same; day totals vary by round. */
function rows(order: number[]): TrafficSourceDay[] {
  return order.flatMap((variant, i) => {
    const level = 1 + (Math.floor(i / 2) % 3) * 0.5 + (i % 2) * 0.1;
    return [
      {
        day: scheduleDay(i),
        source: "YT_SEARCH",
        views: Math.round(100 * level * (variant === 1 ? 2 : 1)),
        minutes: 50,
      },
      { day: scheduleDay(i), source: "RELATED_VIDEO", views: Math.round(200 * level), minutes: 80 },
    ];
  });
}

describe("trafficSourceResults", () => {
  const order = [0, 1, 1, 0, 0, 1, 1, 0];
  const now = scheduleMidnight(20).getTime();

  it("credits each day to the title live that day and finds the source that moved", () => {
    const r = trafficSourceResults(2, scheduleSlots(order), rows(order), now);
    expect(r).toMatchObject({ daysWithData: 8, daysPending: 0, roundsComplete: 4, nextDataAt: null });
    const [control, challenger] = r.variants;
    expect(control?.days).toBe(4);
    const search = challenger?.sources.find((s) => s.source === "YT_SEARCH");
    const suggested = challenger?.sources.find((s) => s.source === "RELATED_VIDEO");
    expect(search?.label).toBe("YouTube search");
    // Search doubled (+100 %) on the challenger's days; Suggested did not move beyond rounding.
    expect(search?.lift).toBeCloseTo(1, 1);
    expect(search?.liftLow).toBeGreaterThan(0.5);
    expect(suggested?.lift).toBeCloseTo(0, 1);
    expect(suggested?.liftLow).toBeLessThan(0.05);
    expect(suggested?.liftHigh).toBeGreaterThan(-0.05);
    expect(control?.sources.every((s) => s.lift === null)).toBe(true);
    // Sorted by views, biggest source first, totals adding up.
    expect(challenger?.sources.map((s) => s.source)).toEqual(["RELATED_VIDEO", "YT_SEARCH"]);
    expect(challenger?.views).toBe((search?.views ?? 0) + (suggested?.views ?? 0));
  });

  it("gives no interval with fewer complete rounds than titles, and no lift without a shared round", () => {
    const two = trafficSourceResults(2, scheduleSlots([0, 1]), rows([0, 1]), now);
    const search = two.variants[1]?.sources.find((s) => s.source === "YT_SEARCH");
    expect(two.roundsComplete).toBe(1);
    expect(search?.lift).not.toBeNull();
    expect(search?.liftLow).toBeNull();
    const apart = trafficSourceResults(2, scheduleSlots([0, 0]), rows([0, 0]), now);
    expect(apart.variants[1]?.sources.every((s) => s.lift === null && s.views === 0)).toBe(true);
  });

  it("says which days are awaited and when the first should arrive (its end + 48 h)", () => {
    const r = trafficSourceResults(
      2,
      scheduleSlots(order),
      rows(order).filter((x) => x.day < scheduleDay(6)),
      0,
    );
    expect(r.daysWithData).toBe(6);
    expect(r.daysPending).toBe(2);
    expect(r.nextDataAt).toBe(new Date(scheduleMidnight(7).getTime() + 48 * 3_600_000).toISOString());
  });

  it("fetches only days whose end is 48 h past", () => {
    const records = scheduleSlots(order);
    expect(finalDayRange(records, scheduleMidnight(2).getTime())).toBeNull();
    expect(finalDayRange(records, scheduleMidnight(3).getTime())).toEqual({
      from: scheduleDay(0),
      to: scheduleDay(0),
    });
    expect(finalDayRange(records, now)).toEqual({ from: scheduleDay(0), to: scheduleDay(7) });
  });
});

describe("resultsCsv with traffic sources", () => {
  it("appends a title × source table after an empty line, formula-like titles neutralised", () => {
    const order = [0, 1, 1, 0];
    const traffic = trafficSourceResults(
      2,
      scheduleSlots(order),
      rows(order),
      scheduleMidnight(20).getTime(),
    );
    const csv = resultsCsv({
      series: [],
      titles: [
        { variant: 0, text: "Original" },
        { variant: 1, text: "=HYPERLINK(1)" },
      ],
      trafficSources: traffic,
    });
    const [slotsTable, sourceTable] = csv.split("\r\n\r\n");
    expect(slotsTable).toBe("slot,variant,title,block,started_at,ended_at,views,hours,views_per_hour");
    const lines = (sourceTable ?? "").split("\r\n");
    expect(lines[0]).toBe("variant,title,traffic_source,days,views,minutes,lift,lift_low,lift_high");
    expect(lines).toContain("0,Original,RELATED_VIDEO,2,520,160,,,");
    expect(lines.filter((l) => l.startsWith("1,'=HYPERLINK(1),"))).toHaveLength(2);
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  it("has no second table without traffic-source data", () => {
    const csv = resultsCsv({ series: [], titles: [], trafficSources: null });
    expect(csv).toBe("slot,variant,title,block,started_at,ended_at,views,hours,views_per_hour\r\n");
  });
});
