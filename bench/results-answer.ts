import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SlotRecord } from "../worker/title-tests/analysis";
import { analyzeTest } from "../worker/title-tests/analysis";
import { isoTime } from "../worker/title-tests/iso-time";
import { resultsOf, seriesOf } from "../worker/title-tests/results";

/**
 * `npm run bench:answer`: what the Worker spends on a results answer once its rows are read — the
 * analysis, the per-slot series, the JSON — for a views test of 48 hourly slots over 3 titles (the
 * API load bench's tests), and the series' times written by `isoTime` against `toISOString`.
 * Prints bytes and microseconds per call (Node's V8, as workerd's); asserts nothing about time.
 * `BENCH_CALLS` sets the timed calls per case (default 20,000).
 */

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const HOUR_MS = 3_600_000;
const START = Date.UTC(2026, 10, 1, 10, 0, 0, 123);

/** 48 hourly slots, the last one open; each title gains a little more than the one before. */
const records: SlotRecord[] = Array.from({ length: 48 }, (_, i) => ({
  slotIndex: i,
  variant: i % 3,
  block: Math.floor(i / 3),
  startedAt: new Date(START + i * HOUR_MS + 7),
  endedAt: i === 47 ? null : new Date(START + (i + 1) * HOUR_MS + 11),
  viewsStart: 100_000 + i * 60,
  viewsEnd: i === 47 ? null : 100_000 + i * 60 + 55 + (i % 3) * 3,
}));
const titles = [0, 1, 2].map((variant) => ({
  variant,
  text: `A title of some forty characters, variant ${variant}`,
}));
const NOW = START + 48 * HOUR_MS;
const times = records.flatMap((r) => [r.startedAt.getTime(), (r.endedAt ?? r.startedAt).getTime()]);

/** Microseconds per call of `work`, after a warm-up for the JIT. */
function microsPerCall(work: () => unknown): number {
  for (let i = 0; i < CALLS / 10; i++) work();
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) work();
  return Number((((performance.now() - started) / CALLS) * 1000).toFixed(1));
}

const results = resultsOf(titles, records, { final: false, now: NOW });
const figures = {
  answerBytes: new TextEncoder().encode(JSON.stringify(results)).length,
  seriesBytes: JSON.stringify(results.series).length,
  micros: {
    analysis: microsPerCall(() => analyzeTest("views", 3, records, new Map(), false)),
    series: microsPerCall(() => seriesOf(records, NOW)),
    json: microsPerCall(() => JSON.stringify(results)),
    wholeAnswer: microsPerCall(() => JSON.stringify(resultsOf(titles, records, { final: false, now: NOW }))),
    [`${times.length} times, toISOString`]: microsPerCall(() =>
      times.map((ms) => new Date(ms).toISOString()),
    ),
    [`${times.length} times, isoTime`]: microsPerCall(() => times.map(isoTime)),
  },
};

console.log(`Results answer: ${figures.answerBytes} bytes (series ${figures.seriesBytes}); µs per call:`);
console.table(figures.micros);
const file = join(dirname(fileURLToPath(import.meta.url)), "results", "results-answer.json");
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), calls: CALLS, ...figures }, null, 2)}\n`,
);
console.log(`bench results written to ${file}`);
