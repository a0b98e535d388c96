import { describe, expect, it } from "vitest";
import { liftAxis } from "../../frontend/src/components/lift-axis";
import {
  formatDate,
  formatDuration,
  formatInterval,
  formatLift,
  formatLiftInterval,
  formatRate,
  formatViews,
} from "../../frontend/src/format";

describe("formatDuration", () => {
  it("pads seconds on minute-only durations", () => {
    expect(formatDuration("PT6M")).toBe("6:00");
    expect(formatDuration("PT6M5S")).toBe("6:05");
    expect(formatDuration("PT45S")).toBe("0:45");
  });

  it("shows hours, and folds days into them", () => {
    expect(formatDuration("PT1H2M3S")).toBe("1:02:03");
    expect(formatDuration("P1DT2H")).toBe("26:00:00");
  });

  it("gives null for a missing or malformed duration", () => {
    expect(formatDuration(null)).toBeNull();
    expect(formatDuration("6 minutes")).toBeNull();
  });
});

describe("formatViews", () => {
  it("abbreviates large counts and says 'view' for one", () => {
    expect(formatViews(1234)).toBe("1.2K views");
    expect(formatViews(1)).toBe("1 view");
    expect(formatViews(0)).toBe("0 views");
  });

  it("gives null when YouTube hides the count", () => {
    expect(formatViews(null)).toBeNull();
    expect(formatViews(Number.NaN)).toBeNull();
  });
});

describe("formatDate and formatInterval", () => {
  it("formats a publish date and ignores a bad one", () => {
    expect(formatDate("2026-03-04T12:00:00Z")).toMatch(/Mar [45], 2026/);
    expect(formatDate("nope")).toBe("");
  });

  it("names plan intervals in words", () => {
    expect(formatInterval(240)).toBe("4 hours");
    expect(formatInterval(60)).toBe("1 hour");
    expect(formatInterval(15)).toBe("15 minutes");
  });
});

describe("formatRate", () => {
  it("reads views per hour the way a creator does, without stray decimals", () => {
    expect(formatRate(331_611.6)).toBe("331.6K");
    expect(formatRate(74_564.7)).toBe("74.6K");
    expect(formatRate(1_250_000)).toBe("1.3M");
    expect(formatRate(999.96)).toBe("1K");
    expect(formatRate(412.4)).toBe("412");
    expect(formatRate(4.54)).toBe("4.5");
    expect(formatRate(0)).toBe("0");
  });

  it("shows a dash for an unknown rate", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("formatLift", () => {
  it("signs lifts with a true minus and rounds to whole percents", () => {
    expect(formatLift(2.89)).toBe("+289 %");
    expect(formatLift(-0.04)).toBe("−4 %");
    expect(formatLift(0.001)).toBe("0 %");
    expect(formatLift(null)).toBe("—");
  });

  it("follows a lift with its interval, each end signed the same way", () => {
    expect(formatLiftInterval(0.18, -0.03, 0.4)).toBe("+18 % (−3 % to +40 %)");
  });
});

describe("liftAxis", () => {
  it("holds the demo's +289 % (+224 to +367 %) on round ticks, zero included", () => {
    const axis = liftAxis([
      { lift: 0, liftLow: 0, liftHigh: 0 },
      { lift: 2.89, liftLow: 2.24, liftHigh: 3.67 },
      { lift: 0.05, liftLow: -0.2, liftHigh: 0.31 },
    ]);
    expect(axis.lo).toBeLessThanOrEqual(-0.2);
    expect(axis.hi).toBeGreaterThanOrEqual(3.67);
    expect(axis.hi).toBeLessThan(6);
    expect(axis.ticks).toContain(0);
    expect(axis.ticks.at(-1)).toBe(axis.hi);
    expect(axis.ticks.length).toBeLessThanOrEqual(7);
  });

  it("contains every finite interval, whatever its size, and never goes below −100 %", () => {
    for (const [low, high] of [
      [-0.99, 0.02],
      [-0.5, 42],
      [0.01, 0.04],
      [-0.03, 1250],
    ] as const) {
      const axis = liftAxis([{ lift: (low + high) / 2, liftLow: low, liftHigh: high }]);
      expect(axis.lo).toBeLessThanOrEqual(low);
      expect(axis.hi).toBeGreaterThanOrEqual(high);
      expect(axis.lo).toBeGreaterThanOrEqual(-1);
      expect(axis.ticks.length).toBeGreaterThanOrEqual(2);
    }
  });

  it("shows ±10 % when nothing is measured yet, ignoring infinite ends", () => {
    const axis = liftAxis([
      { lift: null, liftLow: Number.NEGATIVE_INFINITY, liftHigh: Number.POSITIVE_INFINITY },
    ]);
    expect(axis).toMatchObject({ lo: -0.1, hi: 0.1 });
    expect(axis.ticks).toEqual([-0.1, -0.05, 0, 0.05, 0.1]);
  });
});
