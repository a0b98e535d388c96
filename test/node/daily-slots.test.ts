import { describe, expect, it } from "vitest";
import { type DailyRecord, dailySlots } from "../../worker/title-tests/analysis";
import { dailySlot } from "../shared/daily-slots";

const slot = (index: number, variant: number, start: string, end: string | null) =>
  dailySlot(index, variant, start, end, 100);
const dayOf = (ms: number) => new Date(ms - 8 * 3_600_000).toISOString().slice(0, 10);
const rows = new Map<string, DailyRecord>([
  ["2026-03-01", { day: "2026-03-01", impressions: 10_000, ctr: 0.05, watchMinutes: 1_200 }],
  ["2026-03-02", { day: "2026-03-02", impressions: 8_000, ctr: 0.0625, watchMinutes: 900.4 }],
]);
const records = [
  slot(0, 0, "2026-03-01", "2026-03-02"),
  slot(1, 1, "2026-03-02", "2026-03-03"),
  slot(2, 1, "2026-03-03", "2026-03-04"), // its Analytics row has not arrived
  slot(3, 0, "2026-03-04", null), // still open
];

describe("daily slots", () => {
  it("judges CTR by clicks over impressions of each closed day", () => {
    expect(dailySlots("ctr", records, rows, dayOf)).toEqual({
      slots: [
        { variant: 0, block: 0, count: 500, exposure: 10_000 },
        { variant: 1, block: 0, count: 500, exposure: 8_000 },
      ],
      missing: 1,
    });
  });

  it("judges watch time by minutes over the slot's hours", () => {
    expect(dailySlots("watch_time", records, rows, dayOf).slots).toEqual([
      { variant: 0, block: 0, count: 1_200, exposure: 24 },
      { variant: 1, block: 0, count: 900, exposure: 24 },
    ]);
  });
});
