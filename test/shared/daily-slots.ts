import type { SlotRecord } from "../../worker/title-tests/analysis";

/** Midnight Pacific (PST, UTC−8) of a winter day: where a daily slot starts. */
export const pstMidnight = (day: string) => new Date(`${day}T08:00:00Z`);

/** A daily slot from one PST midnight to the next given (open without `end`), in blocks of two. */
export function dailySlot(
  index: number,
  variant: number,
  start: string,
  end: string | null,
  viewsEnd = 0,
): SlotRecord {
  return {
    slotIndex: index,
    variant,
    block: Math.floor(index / 2),
    startedAt: pstMidnight(start),
    endedAt: end ? pstMidnight(end) : null,
    viewsStart: 0,
    viewsEnd: end ? viewsEnd : null,
  };
}

/** The Pacific day `i` days after 2026-01-05 (`2026-01-05` + i), a hand-made schedule's days. */
export const scheduleDay = (i: number) => new Date(Date.UTC(2026, 0, 5 + i)).toISOString().slice(0, 10);

/** Its midnight (PST). */
export const scheduleMidnight = (i: number) => pstMidnight(scheduleDay(i));

/** Back-to-back daily slots from 2026-01-05, one per variant of `order`, every one closed. */
export const scheduleSlots = (order: readonly number[]): SlotRecord[] =>
  order.map((variant, i) => dailySlot(i, variant, scheduleDay(i), scheduleDay(i + 1)));
