/**
 * The cells of the calibration grid: the corners of what a creator can set up (2–5 titles,
 * 15-minute to 24-hour slots, 20 to 50,000 views a day, no to heavy burstiness, fast and slow
 * decay, lost slots and a pause) and the typical test.
 */
import type { Cell } from "./run";

const POISSON = Number.POSITIVE_INFINITY;

function cell(
  name: string,
  variants: number,
  intervalMinutes: number,
  viewsPerDay: number,
  burstShape: number,
  extra: Partial<Pick<Cell, "lostShare" | "pause" | "days">> & {
    diurnal?: number;
    weekly?: number;
    halfLifeDays?: number;
  } = {},
): Cell {
  return {
    name,
    variants,
    intervalMinutes,
    traffic: {
      viewsPerDay,
      burstShape,
      diurnal: extra.diurnal ?? 0.6,
      weekly: extra.weekly ?? 0.3,
      halfLifeDays: extra.halfLifeDays ?? 10,
    },
    lostShare: extra.lostShare ?? 0,
    pause: extra.pause ?? false,
    days: extra.days ?? (intervalMinutes >= 360 ? 28 : 14),
  };
}

/** Every cell of `npm run bench:stats`. */
export const GRID: readonly Cell[] = [
  cell("typical: 2 titles, 1 h, 500/day, Gamma(5)", 2, 60, 500, 5),
  cell("2 titles, 1 h, 500/day, Poisson", 2, 60, 500, POISSON),
  cell("2 titles, 1 h, 500/day, Gamma(2)", 2, 60, 500, 2),
  cell("2 titles, 1 h, 500/day, Gamma(1)", 2, 60, 500, 1),
  cell("2 titles, 15 min, 20/day, Gamma(5)", 2, 15, 20, 5),
  cell("2 titles, 15 min, 50k/day, Gamma(1)", 2, 15, 50_000, 1),
  cell("2 titles, 24 h, 20/day, Gamma(2)", 2, 1440, 20, 2),
  cell("2 titles, 24 h, 50k/day, Gamma(1)", 2, 1440, 50_000, 1),
  cell("2 titles, 1 h, 5k/day, Gamma(1), 3-day half-life, 10 % lost, pause", 2, 60, 5000, 1, {
    halfLifeDays: 3,
    lostShare: 0.1,
    pause: true,
  }),
  cell("3 titles, 1 h, 2k/day, Gamma(2)", 3, 60, 2000, 2),
  cell("3 titles, 4 h, 20k/day, Gamma(1), 3-day half-life, 5 % lost", 3, 240, 20_000, 1, {
    halfLifeDays: 3,
    lostShare: 0.05,
  }),
  cell("4 titles, 30 min, 1k/day, Gamma(2), 10 % lost, pause", 4, 30, 1000, 2, {
    lostShare: 0.1,
    pause: true,
  }),
  cell("5 titles, 1 h, 500/day, Gamma(5)", 5, 60, 500, 5),
  cell("5 titles, 15 min, 50k/day, Gamma(1)", 5, 15, 50_000, 1),
  cell("5 titles, 6 h, 200/day, Gamma(2), 30-day half-life", 5, 360, 200, 2, { halfLifeDays: 30 }),
];

/** The fast subset `npm test` runs (test/node/stats/calibration.test.ts), with its run counts. */
export const QUICK: readonly Cell[] = [
  cell("2 titles, 1 h, 500/day, Gamma(2)", 2, 60, 500, 2),
  cell("2 titles, 1 h, 300/day, Gamma(1), 10 % lost, pause", 2, 60, 300, 1, { lostShare: 0.1, pause: true }),
  cell("3 titles, 2 h, 1k/day, Gamma(2)", 3, 120, 1000, 2),
];
