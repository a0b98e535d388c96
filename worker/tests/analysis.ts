import { type Analysis, analyze, type Slot } from "../stats/analyze";

const HOUR_MS = 3_600_000;

/** A closed or open slot as Postgres (and the rotator) keep it. */
export interface SlotRecord {
  slotIndex: number;
  variant: number;
  block: number;
  startedAt: Date;
  endedAt: Date | null;
  viewsStart: number;
  viewsEnd: number | null;
}

/**
 * The engine's input for the views metric: one Slot per closed slot, views gained over hours live.
 * Open slots are left out (their count is not known yet); a count that went down (YouTube removes
 * spam views now and then) counts as 0 rather than as negative views.
 */
export function viewSlots(records: readonly SlotRecord[]): Slot[] {
  return records
    .filter((r) => r.endedAt !== null && r.viewsEnd !== null)
    .map((r) => ({
      variant: r.variant,
      block: r.block,
      count: Math.max(0, (r.viewsEnd as number) - r.viewsStart),
      exposure: Math.max(0, ((r.endedAt as Date).getTime() - r.startedAt.getTime()) / HOUR_MS),
    }))
    .filter((slot) => slot.exposure > 0);
}

/** The analysis of a views test from its slot records (`final` once its end time has passed). */
export function analyzeViews(variantCount: number, records: readonly SlotRecord[], final = false): Analysis {
  return analyze(variantCount, viewSlots(records), { final });
}
