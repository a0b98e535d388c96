import { describe, expect, it } from "vitest";
import { formatDate, formatDuration, formatInterval, formatViews } from "../../frontend/src/format";

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
