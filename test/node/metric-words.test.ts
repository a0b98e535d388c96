import { describe, expect, it } from "vitest";
import { type Metric, metricDisplay, verdictOf } from "../../frontend/src/metric-words";
import { metricWords } from "../../worker/title-tests/metric-words";

const METRICS: Metric[] = ["views", "ctr", "watch_time"];

/** A won analysis: title B at +87 %, p 0.01. */
function won(): Parameters<typeof verdictOf>[0] {
  return {
    decision: "winner",
    winner: 1,
    pValue: 0.01,
    variants: [
      { variant: 0, lift: 0 },
      { variant: 1, lift: 0.87 },
    ],
  };
}

/** Every sentence the page builds from a metric's words, for a test of `metric`. */
function pageWords(metric: Metric): string[] {
  const w = metricDisplay(metric);
  return [
    verdictOf(won(), metric),
    w.chartTitle,
    w.chartAxis,
    w.pending,
    w.noisy,
    w.count,
    w.exposure,
    w.rate,
    w.rateUnit,
    `Lift in ${w.measure}`,
    w.slotFigures({ count: 36, exposure: 1_204 }),
  ];
}

describe("a test's words follow its metric", () => {
  it("says a winner's lift in the test's metric", () => {
    expect(verdictOf(won(), "views")).toBe("Title B wins: +87 % views per hour, 99 % sure");
    expect(verdictOf(won(), "ctr")).toBe("Title B wins: +87 % click-through rate, 99 % sure");
    expect(verdictOf(won(), "watch_time")).toBe("Title B wins: +87 % minutes watched per hour, 99 % sure");
  });

  it("never speaks of views on a CTR or watch-time test's page", () => {
    for (const metric of ["ctr", "watch_time"] as const) {
      for (const words of pageWords(metric)) expect(words).not.toMatch(/\bviews?\b|views\/h/i);
    }
    // The check itself can fail: a views test's words do name views.
    expect(pageWords("views").filter((w) => /\bviews?\b/i.test(w)).length).toBeGreaterThan(3);
  });

  it("titles the slot chart by the metric", () => {
    expect(METRICS.map((m) => metricDisplay(m).chartTitle)).toEqual([
      "Views per hour",
      "Click-through rate by day",
      "Minutes watched per hour",
    ]);
  });

  it("shows a CTR as a percentage of impressions, and the per-hour metrics as rates over time live", () => {
    const ctr = metricDisplay("ctr");
    expect(ctr.formatRate(0.0734)).toBe("7.34 %");
    expect(ctr.formatRate(null)).toBe("—");
    expect(ctr.formatExposure(12_345)).toBe("12,345");
    expect(ctr.slotFigures({ count: 36, exposure: 1_204 })).toBe("36 clicks of 1,204 impressions");
    expect(ctr.slotFigures({ count: 1, exposure: 1 })).toBe("1 click of 1 impression");

    const views = metricDisplay("views");
    expect(views.formatRate(412.4)).toBe("412");
    expect(views.formatExposure(4)).toBe("4 h");
    expect(views.slotFigures({ count: 120, exposure: 4 })).toBe("120 views in 4 h");

    const watch = metricDisplay("watch_time");
    expect(watch.formatExposure(24)).toBe("24 h");
    expect(watch.slotFigures({ count: 1_200, exposure: 24 })).toBe("1,200 minutes watched in 24 h");
  });

  it("says nothing of a slot whose figures are not known yet", () => {
    for (const metric of METRICS) {
      expect(metricDisplay(metric).slotFigures({ count: null, exposure: 24 })).toBe("");
      expect(metricDisplay(metric).slotFigures({ count: 3, exposure: null })).toBe("");
    }
  });

  it("takes every word from the one module the export and the mail read", () => {
    for (const metric of METRICS) expect(metricDisplay(metric)).toMatchObject(metricWords[metric]);
  });
});
