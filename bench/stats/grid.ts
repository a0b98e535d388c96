/**
 * `npm run bench:stats`: the statistics engine's calibration grid. For every cell of
 * ./cells.ts: A/A false winners (all titles equal), and with one challenger at +10/+20/+50 %
 * the share of runs finding it, the share naming a wrong title, and the median days to the
 * decision — each run analysed after every block, as the rotator does. Prints a table and
 * writes bench/results/stats.json.
 *
 *   npm run bench:stats                 # 500 A/A and 200 runs per effect per cell
 *   npm run bench:stats -- --scale 0.1  # a tenth of the runs, for development
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GRID } from "./cells";
import type { BatchResult } from "./run";
import { monteCarloAllowance, runBatch } from "./run";

const AA_RUNS = 500;
const EFFECT_RUNS = 200;
const LIFTS = [0.1, 0.2, 0.5] as const;
const TARGET_AA = 0.05;

const scaleFlag = process.argv.indexOf("--scale");
const scale = scaleFlag >= 0 ? Number(process.argv[scaleFlag + 1]) : 1;
if (!(scale > 0 && scale <= 10)) throw new Error("--scale must be in (0, 10]");
const aaRuns = Math.max(20, Math.round(AA_RUNS * scale));
const effectRuns = Math.max(20, Math.round(EFFECT_RUNS * scale));

interface CellResult {
  name: string;
  variants: number;
  intervalMinutes: number;
  viewsPerDay: number;
  burstShape: number | null;
  days: number;
  aa: BatchResult;
  /** The A/A bound with its Monte Carlo allowance: 5 % + 2.326·SE. */
  aaBound: number;
  effects: { lift: number; result: BatchResult }[];
  seconds: number;
}

const started = Date.now();
const results: CellResult[] = [];
GRID.forEach((cell, index) => {
  const t0 = Date.now();
  const seed = 1_000_000 * (index + 1);
  const aa = runBatch(cell, 0, aaRuns, seed);
  const effects = LIFTS.map((lift, i) => ({
    lift,
    result: runBatch(cell, lift, effectRuns, seed + 100_000 * (i + 1)),
  }));
  const result: CellResult = {
    name: cell.name,
    variants: cell.variants,
    intervalMinutes: cell.intervalMinutes,
    viewsPerDay: cell.traffic.viewsPerDay,
    burstShape: Number.isFinite(cell.traffic.burstShape) ? cell.traffic.burstShape : null,
    days: cell.days,
    aa: aa,
    aaBound: TARGET_AA + monteCarloAllowance(TARGET_AA, aaRuns),
    effects,
    seconds: (Date.now() - t0) / 1000,
  };
  results.push(result);
  process.stderr.write(`${cell.name}: ${result.seconds.toFixed(1)} s\n`);
});
const seconds = (Date.now() - started) / 1000;

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const lines = [
  `| cell | days | A/A false winners | wrong winners | found +10 % | +20 % | +50 % | median days +10/+20/+50 % |`,
  `|---|---|---|---|---|---|---|---|`,
];
for (const r of results) {
  const wrong = Math.max(...r.effects.map((e) => e.result.wrong));
  const days = r.effects
    .map((e) => (e.result.medianDays === null ? "–" : e.result.medianDays.toFixed(1)))
    .join(" / ");
  const flag = r.aa.wrong > r.aaBound ? " ✗" : "";
  lines.push(
    `| ${r.name} | ${r.days} | ${pct(r.aa.wrong)}${flag} | ${pct(wrong)} | ${r.effects.map((e) => pct(e.result.found)).join(" | ")} | ${days} |`,
  );
}
const table = lines.join("\n");
process.stdout.write(`${table}\n\n`);
process.stdout.write(
  `${aaRuns} A/A runs and ${effectRuns} runs per effect per cell; Monte Carlo SE of an A/A rate near 5 %: ` +
    `${pct(Math.sqrt((0.05 * 0.95) / aaRuns))}; of a power near 60 %: ${pct(Math.sqrt((0.6 * 0.4) / effectRuns))}. ` +
    `Wrong winners: the largest share over the three effects. ${seconds.toFixed(0)} s.\n`,
);

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results", "stats.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ aaRuns, effectRuns, lifts: LIFTS, seconds, cells: results, table }, null, 2)}\n`,
);
const failing = results.filter((r) => r.aa.wrong > r.aaBound);
if (failing.length > 0) {
  process.stderr.write(`A/A rate above its bound in: ${failing.map((r) => r.name).join("; ")}\n`);
  process.exitCode = 1;
}
