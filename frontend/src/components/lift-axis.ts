/** The lifts a lift chart has to show: each variant's estimate and its interval. */
export interface LiftRange {
  lift: number | null;
  liftLow: number | null;
  liftHigh: number | null;
}

/** A lift chart's axis: its ends and the ticks between them, all multiples of `step`. */
export interface LiftAxis {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/** Tick spacings a reader takes in at a glance: 5 %, 10 %, 25 %, 50 %, 100 %, 200 %, 500 %, … */
const STEPS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100];

/** At most this many gaps between ticks, so the labels stay apart on a phone. */
const MAX_GAPS = 5;

/**
 * The axis of a lift chart: it always holds every finite estimate and interval end (a lift is never
 * below −100 %, so the axis never starts below it), at least ±10 % around zero, and ends on round
 * ticks. Only an infinite end (nothing measured yet) runs to the edge.
 */
export function liftAxis(variants: readonly LiftRange[]): LiftAxis {
  const values = variants
    .flatMap((v) => [v.lift, v.liftLow, v.liftHigh])
    .filter((x): x is number => x !== null && Number.isFinite(x));
  const low = Math.max(-1, Math.min(-0.1, ...values));
  const high = Math.max(0.1, ...values);
  const gaps = (s: number) => Math.ceil(high / s - 1e-9) - Math.floor(low / s + 1e-9);
  const step = STEPS.find((s) => gaps(s) <= MAX_GAPS) ?? 10 ** Math.ceil(Math.log10(high - low));
  const lo = Math.max(-1, Math.floor(low / step + 1e-9) * step);
  const hi = Math.ceil(high / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + 1e-9; i++) ticks.push(round(i * step));
  if (ticks[0] !== round(lo)) ticks.unshift(round(lo));
  return { lo: round(lo), hi: round(hi), step, ticks };
}

/** Drops the float noise of multiplying steps (0.1 × 3 = 0.30000000000000004). */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
