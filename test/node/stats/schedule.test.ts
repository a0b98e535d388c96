import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandom } from "../../../worker/stats/random";
import {
  createSchedule,
  DAY_MS,
  nextBoundary,
  slotIndexAt,
  slotStartMs,
} from "../../../worker/stats/schedule";

const HOUR = 3_600_000;

describe("createSchedule", () => {
  it("makes every block a permutation and never repeats a variant across a block boundary", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (k, blocks, seed) => {
          const schedule = createSchedule(k, blocks, seed);
          expect(schedule).toHaveLength(blocks);
          const identity = Array.from({ length: k }, (_, i) => i);
          for (const block of schedule) expect([...block].sort((a, b) => a - b)).toEqual(identity);
          const flat = schedule.flat();
          for (let i = 1; i < flat.length; i++) expect(flat[i]).not.toBe(flat[i - 1]);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("continues after a given variant without starting with it", () => {
    for (let seed = 0; seed < 50; seed++)
      expect(createSchedule(3, 1, seed, { after: 2 })[0]?.[0]).not.toBe(2);
  });

  it("is deterministic for a seed and varies between seeds", () => {
    expect(createSchedule(4, 10, 123)).toEqual(createSchedule(4, 10, 123));
    expect(createSchedule(4, 10, createRandom(123))).toEqual(createSchedule(4, 10, 123));
    expect(createSchedule(4, 10, 124)).not.toEqual(createSchedule(4, 10, 123));
  });

  it("draws the allowed permutations uniformly", () => {
    // After a block ending in variant 2 the four orders not starting with 2 should each
    // appear a quarter of the time.
    const tally = new Map<string, number>();
    const random = createRandom(99);
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const key = createSchedule(3, 1, random, { after: 2 })[0]?.join("") ?? "";
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    expect([...tally.keys()].sort()).toEqual(["012", "021", "102", "120"]);
    for (const count of tally.values()) expect(Math.abs(count / n - 0.25)).toBeLessThan(0.015);
  });

  it("alternates when there are only two variants", () => {
    const flat = createSchedule(2, 6, 5).flat();
    for (let i = 2; i < flat.length; i++) expect(flat[i]).toBe(flat[i - 2]);
  });

  it("rejects bad arguments", () => {
    expect(() => createSchedule(1, 3, 1)).toThrow(RangeError);
    expect(() => createSchedule(3, -1, 1)).toThrow(RangeError);
    expect(() => createSchedule(3, 2, 1, { after: 3 })).toThrow(RangeError);
  });
});

describe("slot grid", () => {
  it("puts boundaries on multiples of the interval since midnight UTC, plus the offset", () => {
    const intervals = [15 * 60_000, HOUR, 2 * HOUR, 3 * HOUR, 8 * HOUR, DAY_MS];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(...intervals),
        fc.nat(),
        (time, interval, offsetSeed) => {
          const offset = offsetSeed % Math.min(interval, 60_000);
          const boundary = nextBoundary(time, interval, offset);
          const date = new Date(boundary - offset);
          const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
          expect((boundary - offset - midnight) % interval).toBe(0);
          expect(boundary).toBeGreaterThan(time);
          expect(boundary - time).toBeLessThanOrEqual(interval);
          const index = slotIndexAt(time, interval, offset);
          expect(slotStartMs(index, interval, offset)).toBeLessThanOrEqual(time);
          expect(slotStartMs(index + 1, interval, offset)).toBe(boundary);
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });

  it("moves to the next slot exactly at a boundary", () => {
    const midnight = Date.UTC(2025, 5, 1);
    expect(nextBoundary(midnight, HOUR)).toBe(midnight + HOUR);
    expect(nextBoundary(midnight - 1, HOUR)).toBe(midnight);
    expect(slotIndexAt(midnight + 30_000, HOUR, 30_000)).toBe(slotIndexAt(midnight, HOUR));
    expect(slotIndexAt(midnight + 29_999, HOUR, 30_000)).toBe(slotIndexAt(midnight, HOUR) - 1);
  });

  it("rejects intervals that do not divide a day and offsets outside the interval", () => {
    expect(() => nextBoundary(0, 5 * HOUR)).toThrow(RangeError);
    expect(() => nextBoundary(0, 0)).toThrow(RangeError);
    expect(() => nextBoundary(0, HOUR, HOUR)).toThrow(RangeError);
    expect(() => nextBoundary(0, HOUR, -1)).toThrow(RangeError);
    expect(() => slotIndexAt(Number.NaN, HOUR)).toThrow(RangeError);
  });
});
