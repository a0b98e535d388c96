/**
 * The rotation schedule of a switchback test and the global slot grid.
 *
 * Titles are confounded with time (time of day, weekday, the video's ageing), so the
 * schedule groups slots into blocks, each a random permutation of the variants; the
 * analysis then compares variants only within blocks. A block never starts with the variant
 * that ended the previous block, so every slot boundary really changes the title.
 */
import type { Random } from "./random";
import { createRandom, uniformInt } from "./random";

/** Milliseconds in a UTC day; the slot grid restarts from every midnight UTC. */
export const DAY_MS = 86_400_000;

/** Options of {@link createSchedule}. */
export interface ScheduleOptions {
  /** The variant that ended the block before the first generated one (to extend a schedule). */
  after?: number;
}

/**
 * Returns `blockCount` blocks, each a uniformly random permutation of `0..variantCount-1`
 * among those that do not start with the variant ending the previous block.
 *
 * With two variants the rule leaves one choice: after the first block the order repeats
 * (0,1,0,1,… or 1,0,1,0,…).
 */
export function createSchedule(
  variantCount: number,
  blockCount: number,
  source: Random | number,
  options: ScheduleOptions = {},
): number[][] {
  if (!Number.isInteger(variantCount) || variantCount < 2) {
    throw new RangeError(`variantCount must be an integer >= 2, got ${variantCount}`);
  }
  if (!Number.isInteger(blockCount) || blockCount < 0) {
    throw new RangeError(`blockCount must be a non-negative integer, got ${blockCount}`);
  }
  const { after } = options;
  if (after !== undefined && (!Number.isInteger(after) || after < 0 || after >= variantCount)) {
    throw new RangeError(`after must be a variant in 0..${variantCount - 1}, got ${after}`);
  }
  const random = typeof source === "number" ? createRandom(source) : source;

  const blocks: number[][] = [];
  let previousLast = after;
  for (let b = 0; b < blockCount; b++) {
    const block = Array.from({ length: variantCount }, (_, i) => i);
    // Fisher–Yates shuffle.
    for (let i = variantCount - 1; i > 0; i--) {
      const j = uniformInt(random, i + 1);
      swap(block, i, j);
    }
    // If the shuffle starts with the forbidden variant, swap it with a uniformly chosen
    // other position. Each allowed permutation is then reached directly (probability 1/K!)
    // or from exactly one forbidden one (1/K! · 1/(K−1)), so all allowed permutations stay
    // equally likely — the same law as rejection sampling, without the loop.
    if (block[0] === previousLast) swap(block, 0, 1 + uniformInt(random, variantCount - 1));
    blocks.push(block);
    previousLast = block[variantCount - 1];
  }
  return blocks;
}

function swap(values: number[], i: number, j: number): void {
  const a = values[i];
  const b = values[j];
  if (a === undefined || b === undefined) throw new RangeError("swap index out of range");
  values[i] = b;
  values[j] = a;
}

function checkGrid(intervalMs: number, offsetMs: number): void {
  if (!Number.isInteger(intervalMs) || intervalMs <= 0 || DAY_MS % intervalMs !== 0) {
    // A divisor of a day makes "multiples since midnight UTC" the same grid every day and
    // the same as multiples since the Unix epoch (a UTC midnight; Unix days have no leap
    // seconds), which is what the arithmetic below relies on.
    throw new RangeError(`intervalMs must be a positive integer dividing ${DAY_MS}, got ${intervalMs}`);
  }
  if (!Number.isInteger(offsetMs) || offsetMs < 0 || offsetMs >= intervalMs) {
    throw new RangeError(`offsetMs must be an integer in [0, intervalMs), got ${offsetMs}`);
  }
}

/**
 * The global index of the slot containing `timeMs`: slots start at
 * `k · intervalMs + offsetMs` (k an integer), i.e. on multiples of the interval since
 * midnight UTC shifted by the test's fixed offset.
 */
export function slotIndexAt(timeMs: number, intervalMs: number, offsetMs = 0): number {
  checkGrid(intervalMs, offsetMs);
  if (!Number.isFinite(timeMs)) throw new RangeError(`timeMs must be finite, got ${timeMs}`);
  return Math.floor((timeMs - offsetMs) / intervalMs);
}

/** The start time (ms since the epoch) of the slot with global index `index`. */
export function slotStartMs(index: number, intervalMs: number, offsetMs = 0): number {
  checkGrid(intervalMs, offsetMs);
  if (!Number.isInteger(index)) throw new RangeError(`index must be an integer, got ${index}`);
  return index * intervalMs + offsetMs;
}

/** The first slot boundary strictly after `timeMs` (when the next rotation falls due). */
export function nextBoundary(timeMs: number, intervalMs: number, offsetMs = 0): number {
  return slotStartMs(slotIndexAt(timeMs, intervalMs, offsetMs) + 1, intervalMs, offsetMs);
}
