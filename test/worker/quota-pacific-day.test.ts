import { describe, expect, it } from "vitest";
import { nextPacificReset, PacificClock, pacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
import { at } from "./quota-fixtures";

const HOUR = 3_600_000;

describe("Pacific day", () => {
  it("names the Pacific calendar day, not the UTC one", () => {
    // 05:00 UTC on June 16 is still 22:00 on June 15 in Los Angeles (PDT, UTC−7).
    expect(pacificDayKey(at("2026-06-16T05:00:00Z"))).toBe("2026-06-15");
    expect(pacificDayKey(at("2026-06-16T06:59:59.999Z"))).toBe("2026-06-15");
    expect(pacificDayKey(at("2026-06-16T07:00:00Z"))).toBe("2026-06-16");
    // In winter (PST, UTC−8) the day turns at 08:00 UTC.
    expect(pacificDayKey(at("2026-01-15T07:59:59.999Z"))).toBe("2026-01-14");
    expect(pacificDayKey(at("2026-01-15T08:00:00Z"))).toBe("2026-01-15");
  });

  it("resets at the next midnight in Los Angeles on an ordinary day (24 hours)", () => {
    const day = pacificDay(at("2026-06-15T20:00:00Z"));
    expect(day).toEqual({
      key: "2026-06-15",
      startsAt: at("2026-06-15T07:00:00Z"),
      endsAt: at("2026-06-16T07:00:00Z"),
    });
    expect(day.endsAt - day.startsAt).toBe(24 * HOUR);
  });

  it("gives the spring-forward day 2026-03-08 23 hours", () => {
    // Starts at midnight PST (08:00 UTC), ends at midnight PDT (07:00 UTC next day).
    const day = pacificDay(at("2026-03-08T12:00:00Z"));
    expect(day).toEqual({
      key: "2026-03-08",
      startsAt: at("2026-03-08T08:00:00Z"),
      endsAt: at("2026-03-09T07:00:00Z"),
    });
    expect(day.endsAt - day.startsAt).toBe(23 * HOUR);
    expect(pacificDayKey(at("2026-03-09T06:59:59.999Z"))).toBe("2026-03-08");
    expect(pacificDayKey(at("2026-03-09T07:00:00Z"))).toBe("2026-03-09");
    // The day before still ends at 08:00 UTC.
    expect(nextPacificReset(at("2026-03-08T07:59:59Z"))).toBe(at("2026-03-08T08:00:00Z"));
  });

  it("gives the fall-back day 2026-11-01 25 hours", () => {
    const day = pacificDay(at("2026-11-01T09:30:00Z")); // 01:30 PST, the hour that happens twice
    expect(day).toEqual({
      key: "2026-11-01",
      startsAt: at("2026-11-01T07:00:00Z"),
      endsAt: at("2026-11-02T08:00:00Z"),
    });
    expect(day.endsAt - day.startsAt).toBe(25 * HOUR);
    // A fixed UTC−7 offset would have reset an hour early, at 07:00 UTC.
    expect(pacificDayKey(at("2026-11-02T07:30:00Z"))).toBe("2026-11-01");
    expect(pacificDayKey(at("2026-11-02T08:00:00Z"))).toBe("2026-11-02");
  });

  it("crosses month and year ends", () => {
    expect(pacificDay(at("2027-01-01T07:59:00Z"))).toMatchObject({
      key: "2026-12-31",
      endsAt: at("2027-01-01T08:00:00Z"),
    });
    expect(pacificDay(at("2026-03-01T07:00:00Z"))).toMatchObject({
      key: "2026-02-28",
      endsAt: at("2026-03-01T08:00:00Z"),
    });
  });

  it("is consistent hour by hour through both 2026 transitions", () => {
    for (const start of ["2026-03-06T00:00:00Z", "2026-10-30T00:00:00Z"]) {
      for (let t = at(start); t < at(start) + 4 * 24 * HOUR; t += 15 * 60_000) {
        const day = pacificDay(t);
        expect(day.startsAt).toBeLessThanOrEqual(t);
        expect(day.endsAt).toBeGreaterThan(t);
        expect(pacificDayKey(day.startsAt)).toBe(day.key);
        expect(pacificDayKey(day.endsAt - 1)).toBe(day.key);
        expect(pacificDayKey(day.endsAt)).not.toBe(day.key);
      }
    }
  });

  it("caches the day in PacificClock but moves on at the reset", () => {
    const clock = new PacificClock();
    const first = clock.day(at("2026-03-09T06:59:59.999Z"));
    expect(clock.day(at("2026-03-08T08:00:00Z"))).toBe(first);
    expect(clock.day(at("2026-03-09T07:00:00Z")).key).toBe("2026-03-09");
    expect(clock.day(at("2026-03-08T07:59:59Z")).key).toBe("2026-03-07");
  });
});
