import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoTime } from "../../worker/title-tests/iso-time";

const YEAR_10000_MS = Date.UTC(10_000, 0, 1);

describe("isoTime writes what toISOString writes", () => {
  it("for any instant a Date can hold", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it("for instants of the years the product keeps, many per day, and at every edge of a day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: YEAR_10000_MS - 1 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    const day = Date.UTC(2026, 10, 1);
    for (const ms of [0, 999, 1000, day - 1, day, day + 86_399_999, YEAR_10000_MS - 1, YEAR_10000_MS, -1]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    for (let ms = day; ms < day + 86_400_000; ms += 3_600_007) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it("fails as toISOString does on an invalid time, and cuts a fraction of a millisecond as Date does", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
    expect(isoTime(1_764_590_400_123.9)).toBe(new Date(1_764_590_400_123.9).toISOString());
  });
});
