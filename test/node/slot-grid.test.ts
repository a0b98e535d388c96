import { describe, expect, it } from "vitest";
import {
  firstSlotAt,
  nextDue,
  type SlotGrid,
  seedOf,
  variantOf,
} from "../../durable-objects/test-rotator/slot-grid";
import { nextPacificReset, pacificDay } from "../../worker/quota/pacific-day";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string) => Date.parse(iso);

const hourly: SlotGrid = {
  metric: "views",
  intervalMs: HOUR,
  offsetMs: 0,
  endsAt: at("2026-03-10T00:00:00Z"),
};

describe("seedOf", () => {
  it("is FNV-1a: the empty id gives the offset basis, a known id its known hash", () => {
    expect(seedOf("")).toBe(0x811c9dc5);
    // FNV-1a 32 of "a" is 0xe40c292c.
    expect(seedOf("a")).toBe(0xe40c292c);
  });

  it("gives different tests different seeds, and the same test the same one", () => {
    expect(seedOf("test-1")).toBe(seedOf("test-1"));
    expect(seedOf("test-1")).not.toBe(seedOf("test-2"));
    expect(Number.isInteger(seedOf("x")) && seedOf("x") >= 0 && seedOf("x") < 2 ** 32).toBe(true);
  });
});

describe("variantOf", () => {
  it("shows every variant once per block", () => {
    const seed = seedOf("blocks");
    for (const k of [2, 3, 5]) {
      for (let block = 0; block < 6; block++) {
        const shown = Array.from({ length: k }, (_, i) => variantOf(k, seed, block * k + i));
        expect([...shown].sort()).toEqual(Array.from({ length: k }, (_, i) => i));
      }
    }
  });

  it("changes the title at every boundary, also across blocks", () => {
    const seed = seedOf("boundaries");
    const shown = Array.from({ length: 30 }, (_, i) => variantOf(3, seed, i));
    for (let i = 1; i < shown.length; i++) expect(shown[i]).not.toBe(shown[i - 1]);
  });

  it("replays: slot i's variant does not depend on when it is asked", () => {
    const seed = seedOf("replay");
    const forwards = Array.from({ length: 12 }, (_, i) => variantOf(4, seed, i));
    const backwards = Array.from({ length: 12 }, (_, i) => variantOf(4, seed, 11 - i)).reverse();
    expect(backwards).toEqual(forwards);
  });

  it("with two variants alternates strictly", () => {
    const seed = seedOf("two");
    const shown = Array.from({ length: 10 }, (_, i) => variantOf(2, seed, i));
    const first = shown[0] as number;
    expect(shown).toEqual(shown.map((_, i) => (i % 2 === 0 ? first : 1 - first)));
  });
});

describe("nextDue", () => {
  it("is the next boundary of the interval grid", () => {
    expect(nextDue(hourly, at("2026-03-01T10:00:00Z"))).toBe(at("2026-03-01T11:00:00Z"));
    expect(nextDue(hourly, at("2026-03-01T10:20:00Z"))).toBe(at("2026-03-01T11:00:00Z"));
  });

  it("skips a boundary less than half an interval away", () => {
    expect(nextDue(hourly, at("2026-03-01T10:40:00Z"))).toBe(at("2026-03-01T12:00:00Z"));
  });

  it("follows the grid's offset", () => {
    const offset = { ...hourly, offsetMs: 15 * MINUTE };
    expect(nextDue(offset, at("2026-03-01T10:00:00Z"))).toBe(at("2026-03-01T11:15:00Z"));
  });

  it("ends the last slot at the end time, never before now", () => {
    const ending = { ...hourly, endsAt: at("2026-03-01T10:30:00Z") };
    expect(nextDue(ending, at("2026-03-01T10:00:00Z"))).toBe(at("2026-03-01T10:30:00Z"));
    expect(nextDue(ending, at("2026-03-01T10:45:00Z"))).toBe(at("2026-03-01T10:45:00Z"));
  });

  it("puts a daily metric's boundaries at Pacific midnight, a whole day ahead", () => {
    const daily: SlotGrid = {
      metric: "ctr",
      intervalMs: 24 * HOUR,
      offsetMs: 0,
      endsAt: at("2026-04-01T07:00:00Z"),
    };
    const start = pacificDay(at("2026-03-02T12:00:00Z")).startsAt;
    const due = nextDue(daily, start);
    expect(due).toBe(nextPacificReset(start));
    expect(pacificDay(due).startsAt).toBe(due);
  });

  it("ends a daily metric's last slot at the midnight after its end time (whole days)", () => {
    const endsAt = at("2026-03-05T20:00:00Z");
    const daily: SlotGrid = { metric: "watch_time", intervalMs: 24 * HOUR, offsetMs: 0, endsAt };
    const lastDayStart = pacificDay(endsAt).startsAt;
    expect(nextDue(daily, lastDayStart)).toBe(nextPacificReset(endsAt));
  });
});

describe("firstSlotAt", () => {
  it("starts a views test when asked", () => {
    expect(firstSlotAt(hourly, at("2026-03-01T10:07:00Z"))).toBe(at("2026-03-01T10:07:00Z"));
  });

  it("starts a daily metric at the coming Pacific midnight (or now, at midnight)", () => {
    const requested = at("2026-03-01T10:07:00Z");
    expect(firstSlotAt({ metric: "ctr", offsetMs: 0 }, requested)).toBe(nextPacificReset(requested));
    const midnight = pacificDay(requested).startsAt;
    expect(firstSlotAt({ metric: "ctr", offsetMs: 0 }, midnight)).toBe(midnight);
  });
});
