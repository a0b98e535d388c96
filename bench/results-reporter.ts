import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UserConsoleLog } from "vitest";
import type { Reporter } from "vitest/node";

/** A benchmark running inside workerd cannot write files: it logs `BENCH_RESULT <name> <json>` instead. */
// Vitest may hand several buffered log lines over as one: look for the line, not the whole text.
const MARK = /^BENCH_RESULT (\S+) (.*)$/m;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");

/** Writes each `BENCH_RESULT` a benchmark logs to bench/results/<name>.json. */
export default class BenchResultsReporter implements Reporter {
  onUserConsoleLog(log: UserConsoleLog): void {
    const match = MARK.exec(log.content);
    if (!match?.[1] || match[2] === undefined) return;
    const name = match[1].replace(/[^a-z0-9-]/gi, "_");
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(JSON.parse(match[2]), null, 2)}\n`);
    process.stdout.write(`bench results written to ${file}\n`);
  }
}
