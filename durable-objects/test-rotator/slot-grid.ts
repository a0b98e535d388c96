import { nextPacificReset, pacificDay } from "../../worker/quota/pacific-day";
import { createSchedule, nextBoundary } from "../../worker/stats/schedule";

/**
 * Where a test's slots fall and which title each shows. Pure: the rotator stores the grid's
 * inputs and asks these functions; the same test id always replays the same schedule.
 */

/** What places a test's slot boundaries. */
export interface SlotGrid {
  /** `views` slots follow the interval grid; a daily metric's slots are whole Pacific days. */
  metric: "views" | "ctr" | "watch_time";
  intervalMs: number;
  offsetMs: number;
  endsAt: number;
}

/** When the first slot opens for a test asked to start at `requested` (ms). */
export function firstSlotAt(grid: Pick<SlotGrid, "metric" | "offsetMs">, requested: number): number {
  // A daily metric's slots are Pacific days: the first one starts at the coming midnight.
  return grid.metric === "views" || pacificDay(requested).startsAt === requested
    ? requested
    : nextPacificReset(requested) + grid.offsetMs;
}

/** The next boundary after `at` on the test's grid; a slot lasts at least half an interval. */
export function nextDue(grid: SlotGrid, at: number): number {
  const next = (t: number) =>
    grid.metric === "views"
      ? nextBoundary(t, grid.intervalMs, grid.offsetMs)
      : nextPacificReset(t) + grid.offsetMs;
  let due = next(at);
  if (due - at < grid.intervalMs / 2) due = next(due);
  // The last slot ends at the end time; a daily metric's at the midnight after it (whole days).
  const end =
    grid.metric === "views" || pacificDay(grid.endsAt).startsAt === grid.endsAt
      ? grid.endsAt
      : nextPacificReset(grid.endsAt) + grid.offsetMs;
  return Math.min(due, Math.max(end, at));
}

/** The variant of slot `index` among `variants`: blocks of random permutations, seeded by the test. */
export function variantOf(variants: number, seed: number, index: number): number {
  const block = Math.floor(index / variants);
  const blocks = createSchedule(variants, block + 1, seed);
  return blocks[block]?.[index % variants] as number;
}

/** A 32-bit seed from the test id (FNV-1a): the schedule is fixed by the test, replayable. */
export function seedOf(testId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < testId.length; i++) {
    h ^= testId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
