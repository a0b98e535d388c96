/**
 * One simulated title test, analysed after every block as the rotator does, and the grid's
 * cells. The engine's decision is recomputed from a block table that grows by one row per
 * block (the decision reads block sums only), with the previous look's estimate as the start
 * of the fit — the same numbers `analyze()` gives, without re-reading every slot at each look.
 */
import {
  DEFAULT_ALPHA,
  DEFAULT_MIN_BLOCKS,
  DEFAULT_TAU,
  leaderTest,
  winnerLevel,
} from "../../worker/stats/analyze";
import type { SwitchbackFit } from "../../worker/stats/block-robust";
import { fitSwitchback } from "../../worker/stats/block-robust";
import type { BlockTable } from "../../worker/stats/conditional-poisson";
import type { Traffic } from "./traffic";
import { hourlyMeans, Rng } from "./traffic";

/** A cell of the grid: a kind of test a creator can make. */
export interface Cell {
  name: string;
  variants: number;
  intervalMinutes: number;
  traffic: Traffic;
  /** Share of slots lost (never recorded: a missed poll). */
  lostShare: number;
  /** A one-day pause starting on day 3 (no slots run while paused). */
  pause: boolean;
  /** Horizon of a run in days. */
  days: number;
}

/** The outcome of one run. */
export interface RunResult {
  /** The variant declared the winner, or null. */
  winner: number | null;
  /** Days from the start to the decision (null without one). */
  days: number | null;
}

const ALPHA = DEFAULT_ALPHA;
const TAU = DEFAULT_TAU;
const MIN_BLOCKS = DEFAULT_MIN_BLOCKS;

/**
 * Runs one test: `effects[v]` multiplies variant v's views (1 for all in an A/A test).
 * Stops at the first winner, as the rotator does.
 */
export function runTest(cell: Cell, effects: readonly number[], seed: number): RunResult {
  const rng = new Rng(seed);
  const k = cell.variants;
  const hours = cell.days * 24;
  const means = hourlyMeans(cell.traffic, hours, rng);
  const slotHours = cell.intervalMinutes / 60;
  const slotsTotal = Math.floor(hours / slotHours);
  const maxBlocks = Math.ceil(slotsTotal / k) + 1;
  const table: BlockTable = {
    exposure: new Float64Array(maxBlocks * k),
    count: new Float64Array(maxBlocks * k),
    total: new Float64Array(maxBlocks),
    blocks: 0,
  };
  const pauseStart = cell.pause ? 3 * 24 : Number.POSITIVE_INFINITY;
  const pauseEnd = pauseStart + 24;

  let order = permutation(k, -1, rng);
  let position = 0;
  let block = 0;
  let live = 0;
  let beta: Float64Array | undefined;
  let fit: SwitchbackFit | undefined;
  let complete = 0;
  for (let s = 0; s < slotsTotal; s++) {
    const startHour = s * slotHours;
    if (startHour >= pauseStart && startHour < pauseEnd) continue;
    const variant = order[position] as number;
    let mean = 0;
    if (slotHours <= 1) {
      mean = (means[Math.floor(startHour)] ?? 0) * slotHours;
    } else {
      for (let h = startHour; h < startHour + slotHours; h++) mean += means[h] ?? 0;
    }
    const count = rng.poisson(mean * (effects[variant] ?? 1));
    if (rng.next() >= cell.lostShare) {
      const cell0 = block * k + variant;
      table.exposure[cell0] = (table.exposure[cell0] ?? 0) + slotHours;
      table.count[cell0] = (table.count[cell0] ?? 0) + count;
      table.total[block] = (table.total[block] ?? 0) + count;
      live++;
    }
    position++;
    if (position < k) continue;
    // The block is over: look.
    if (live === k) complete++;
    // A block without events adds nothing to the fit: its row is reused (cheaper looks at
    // low traffic), though it still counts as complete.
    const informative = (table.total[block] ?? 0) > 0;
    if (informative) table.blocks = block + 1;
    if (informative || beta === undefined) {
      fit = fitSwitchback(k, table, beta);
      beta = fit.beta;
    }
    if (complete >= MIN_BLOCKS && fit !== undefined) {
      const { leader, pValue } = leaderTest(k, fit, TAU);
      if (pValue <= winnerLevel(ALPHA, k)) {
        return { winner: leader, days: (startHour + slotHours) / 24 };
      }
    }
    if (!informative) {
      for (let v = 0; v < k; v++) table.exposure[block * k + v] = 0;
      position = 0;
      live = 0;
      order = permutation(k, order[k - 1] as number, rng);
      continue;
    }
    block++;
    position = 0;
    live = 0;
    order = permutation(k, order[k - 1] as number, rng);
  }
  return { winner: null, days: null };
}

/** A random order of 0..k−1 not starting with `previousLast`. */
function permutation(k: number, previousLast: number, rng: Rng): number[] {
  for (;;) {
    const order = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    if (order[0] !== previousLast) return order;
  }
}

/** Summary of a batch of runs of one scenario. */
export interface BatchResult {
  runs: number;
  /** Share of runs naming the variant with the true effect (0 in an A/A batch). */
  found: number;
  /** Share of runs naming any other variant (every winner in an A/A batch). */
  wrong: number;
  /** Median days to a correct decision among the runs that found it (null if none). */
  medianDays: number | null;
}

/**
 * Runs `runs` tests of a cell with variant 1 at `lift` (0: A/A) and the others equal, seeds
 * `seed`, `seed + 1`, …
 */
export function runBatch(cell: Cell, lift: number, runs: number, seed: number): BatchResult {
  const effects = Array.from({ length: cell.variants }, (_, v) => (v === 1 ? 1 + lift : 1));
  let found = 0;
  let wrong = 0;
  const days: number[] = [];
  for (let r = 0; r < runs; r++) {
    const result = runTest(cell, effects, seed + r);
    if (result.winner === null) continue;
    if (lift > 0 && result.winner === 1) {
      found++;
      days.push(result.days as number);
    } else {
      wrong++;
    }
  }
  days.sort((a, b) => a - b);
  const medianDays = days.length > 0 ? (days[Math.floor((days.length - 1) / 2)] as number) : null;
  return { runs, found: found / runs, wrong: wrong / runs, medianDays };
}

/** One-sided 99 % upper allowance for a share estimated from n runs when the true share is p. */
export function monteCarloAllowance(p: number, n: number): number {
  return 2.326 * Math.sqrt((p * (1 - p)) / n);
}
