/**
 * Operating characteristics of the engine under the traffic model stated in ./simulate.ts:
 * hourly views with a ±60 % diurnal cycle, a ±25 % weekly cycle, ageing decay (e-folding 10
 * days) and Gamma(5, mean 1) over-dispersion per hour; three variants, hourly rotation, the
 * analysis rerun after every completed block and the test stopped at the first winner.
 * The naive method (daily swaps in fixed order, most total views wins) runs on the same
 * traffic for comparison. Seeds are fixed, so the figures are reproducible.
 */
import { afterAll, describe, expect, it } from "vitest";
import { analyze } from "../../../worker/stats/analyze";
import { createRandom, uniformInt } from "../../../worker/stats/random";
import { runNaive, runSwitchback, simulateSlots, simulateTraffic } from "./simulate";

const VARIANTS = 3;
const VIEWS_PER_DAY = 500;
/** pBest plays no part in the decision; fewer draws keep ~70,000 analyses fast. */
const MONITORING_DRAWS = 200;

interface ScenarioResult {
  scenario: string;
  runs: number;
  /** Share of runs where our method named the truly best title (null for A/A). */
  power: number | null;
  /** Share of runs where our method named a title that is not the best (any winner in A/A). */
  wrongWinner: number;
  /** Share of runs where the naive method named a title that is not the best. */
  naiveWrongWinner: number;
  medianDaysToWinner: number | null;
}

const results: ScenarioResult[] = [];

interface CoverageResult {
  scenario: string;
  runs: number;
  /** Share of the challengers' 95 % lift intervals that contain the true lift. */
  coverage: number;
}

const coverages: CoverageResult[] = [];

/**
 * Analyses `runs` simulated tests once, at the end of `days` (no stopping), and counts how
 * often each challenger's 95 % lift interval contains its true lift. One randomly chosen
 * challenger has the effect `lift`, the others none.
 */
function coverageScenario(
  name: string,
  runs: number,
  days: number,
  lift: number,
  seed: number,
): CoverageResult {
  let covered = 0;
  let intervals = 0;
  for (let run = 0; run < runs; run++) {
    const random = createRandom(seed * 1_000_000 + run);
    const best = 1 + uniformInt(random, VARIANTS - 1);
    const effects = Array.from({ length: VARIANTS }, (_, v) => (v === best ? lift : 1));
    const traffic = simulateTraffic(random, days * 24, { viewsPerDay: VIEWS_PER_DAY });
    const slots = simulateSlots(traffic, effects, createRandom(seed * 1_000_000 + run + 500_000));
    const analysis = analyze(VARIANTS, slots, { draws: MONITORING_DRAWS });
    for (let v = 1; v < VARIANTS; v++) {
      const truth = (effects[v] ?? 1) - 1;
      const result = analysis.variants[v];
      intervals++;
      if (result !== undefined && result.liftLow <= truth && truth <= result.liftHigh) covered++;
    }
  }
  const result = { scenario: name, runs, coverage: covered / intervals };
  coverages.push(result);
  return result;
}

/** Runs `runs` simulated tests; `lift` is the true effect of one randomly chosen challenger. */
function scenario(name: string, runs: number, days: number, lift: number, seed: number): ScenarioResult {
  let correct = 0;
  let wrong = 0;
  let naiveWrong = 0;
  const daysToWinner: number[] = [];
  for (let run = 0; run < runs; run++) {
    const random = createRandom(seed * 1_000_000 + run);
    const best = lift === 1 ? null : 1 + uniformInt(random, VARIANTS - 1);
    const effects = Array.from({ length: VARIANTS }, (_, v) => (v === best ? lift : 1));
    const traffic = simulateTraffic(random, days * 24, { viewsPerDay: VIEWS_PER_DAY });
    const ours = runSwitchback(traffic, effects, createRandom(seed * 1_000_000 + run + 500_000), {
      draws: MONITORING_DRAWS,
    });
    const naive = runNaive(traffic, effects, createRandom(seed * 1_000_000 + run + 750_000));
    if (ours.winner !== null) {
      if (ours.winner === best) correct++;
      else wrong++;
      daysToWinner.push(ours.hours / 24);
    }
    if (naive.winner !== best) naiveWrong++;
  }
  daysToWinner.sort((a, b) => a - b);
  const result: ScenarioResult = {
    scenario: name,
    runs,
    power: lift === 1 ? null : correct / runs,
    wrongWinner: wrong / runs,
    naiveWrongWinner: naiveWrong / runs,
    medianDaysToWinner:
      daysToWinner.length > 0 ? (daysToWinner[Math.floor(daysToWinner.length / 2)] ?? null) : null,
  };
  results.push(result);
  return result;
}

afterAll(() => {
  const percent = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
  const lines = [
    "scenario (3 variants, 500 views/day, hourly) | runs | ours: right winner | ours: wrong winner | naive: wrong winner | median days to a winner",
    ...results.map((r) =>
      [
        r.scenario,
        r.runs,
        percent(r.power),
        percent(r.wrongWinner),
        percent(r.naiveWrongWinner),
        r.medianDaysToWinner === null ? "—" : r.medianDaysToWinner.toFixed(2),
      ].join(" | "),
    ),
  ];
  for (const c of coverages) {
    lines.push(`coverage of the 95 % lift intervals, ${c.scenario} (${c.runs} runs): ${percent(c.coverage)}`);
  }
  console.log(lines.join("\n"));
});

describe("operating characteristics under the stated traffic model", () => {
  it("declares a false winner in at most 5 % of A/A tests monitored after every block for 14 days", () => {
    const result = scenario("A/A, 14 days", 400, 14, 1, 1);
    expect(result.wrongWinner).toBeLessThanOrEqual(0.05);
  }, 120_000);

  it("finds a +50 % title within 7 days in at least 60 % of tests, naming a wrong one in at most 2 %", () => {
    // Three titles. The bar was 80 % when a winner needed alpha/(K−1) per rival and the
    // variance came from a negative-binomial model that ran 5–13 % below the actual one; the
    // winner level is now alpha/K (which is what keeps A/A tests at 5 %) and the variance is
    // measured between blocks. On this seed set: 65.5 %. The two-title figures, and what more
    // titles cost, are in docs/STATISTICS.md.
    const result = scenario("+50 %, 7 days", 200, 7, 1.5, 2);
    expect(result.wrongWinner).toBeLessThanOrEqual(0.02);
    expect(result.power).toBeGreaterThanOrEqual(0.6);
  }, 120_000);

  it("reports how often a +20 % title is found within 14 days", () => {
    const result = scenario("+20 %, 14 days", 200, 14, 1.2, 3);
    expect(result.wrongWinner).toBeLessThanOrEqual(0.05);
  }, 120_000);

  it("gives 95 % lift intervals that cover the true lift in at least 90 % of tests at day 14", () => {
    // Two intervals per run (both challengers): one true lift of 0 and one of +20 % or none.
    for (const [name, lift, seed] of [
      ["A/A, day 14", 1, 4],
      ["+20 %, day 14", 1.2, 5],
    ] as const) {
      expect(coverageScenario(name, 200, 14, lift, seed).coverage).toBeGreaterThanOrEqual(0.9);
    }
  }, 120_000);
});
