import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UserConsoleLog } from "vitest";
import type { Reporter } from "vitest/node";

/** What one part of the fuzzer logs as `FUZZ_PART <json>` (bench/fuzz/runner.ts). */
interface PartFigures {
  part: number;
  seed: number;
  requests: number;
  sent: number;
  unsendable: number;
  flows: number;
  flowsSignedIn: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  msByRoute: Record<string, { n: number; ms: number; max: number }>;
  serverErrors: unknown[];
  refusedWrites: unknown[];
  unsafeRedirects: unknown[];
  flowViolations: unknown[];
  nonJsonErrors: unknown[];
  nonJsonErrorCount: number;
  databaseChecks: number;
  victimChangedAtEnd: string[];
  database: string;
  setupSeconds: number;
  fuzzSeconds: number;
}

const MARK = /^FUZZ_PART (.*)$/m;
const resultsFile = join(dirname(fileURLToPath(import.meta.url)), "..", "results", "fuzz.json");

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Sums the parts' figures, prints them, and writes bench/results/fuzz.json. */
export default class FuzzReporter implements Reporter {
  private parts: PartFigures[] = [];
  private started = Date.now();

  onUserConsoleLog(log: UserConsoleLog): void {
    const match = MARK.exec(log.content);
    if (match?.[1]) this.parts.push(JSON.parse(match[1]) as PartFigures);
  }

  onTestRunEnd(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts.sort((a, b) => a.part - b.part);
    const byClass: Record<string, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
    const byStatus: Record<string, number> = {};
    const byRoute: Record<string, Record<string, number>> = {};
    const ms: Record<string, { n: number; ms: number; max: number }> = {};
    for (const p of parts) {
      add(byClass, p.byClass);
      add(byStatus, p.byStatus);
      for (const [route, classes] of Object.entries(p.byRoute)) {
        byRoute[route] = byRoute[route] ?? {};
        add(byRoute[route], classes);
      }
      for (const [route, t] of Object.entries(p.msByRoute)) {
        const total = ms[route] ?? { n: 0, ms: 0, max: 0 };
        ms[route] = total;
        total.n += t.n;
        total.ms += t.ms;
        total.max = Math.max(total.max, t.max);
      }
    }
    const sum = (f: (p: PartFigures) => number) => parts.reduce((n, p) => n + f(p), 0);
    const sent = sum((p) => p.sent);
    const fuzzSeconds = sum((p) => p.fuzzSeconds);
    const figures = {
      at: new Date().toISOString(),
      parts: parts.length,
      seeds: parts.map((p) => p.seed),
      database: parts[0]?.database,
      requests: sum((p) => p.requests),
      sent,
      unsendable: sum((p) => p.unsendable),
      signInFlows: sum((p) => p.flows),
      signInFlowsSignedIn: sum((p) => p.flowsSignedIn),
      byClass,
      byStatus,
      serverErrors: sum((p) => p.serverErrors.length),
      refusedRequestsThatWrote: sum((p) => p.refusedWrites.length),
      unsafeRedirects: sum((p) => p.unsafeRedirects.length),
      brokenSignInInvariants: sum((p) => p.flowViolations.length),
      victimChangedAtEnd: parts.filter((p) => p.victimChangedAtEnd.length > 0).map((p) => p.part),
      databaseChecks: sum((p) => p.databaseChecks),
      errorsNotInTheJsonShape: sum((p) => p.nonJsonErrorCount),
      requestsPerSecond: Number((sent / fuzzSeconds).toFixed(1)),
      fuzzSeconds: Number(fuzzSeconds.toFixed(1)),
      wallSeconds: Math.round((Date.now() - this.started) / 1000),
      byRoute: Object.fromEntries(
        Object.entries(byRoute)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([route, classes]) => {
            const t = ms[route];
            return [route, { ...classes, meanMs: t ? Number((t.ms / t.n).toFixed(1)) : null, maxMs: t?.max }];
          }),
      ),
      examples: {
        serverErrors: parts.flatMap((p) => p.serverErrors).slice(0, 20),
        refusedWrites: parts.flatMap((p) => p.refusedWrites).slice(0, 20),
        unsafeRedirects: parts.flatMap((p) => p.unsafeRedirects).slice(0, 20),
        brokenSignInInvariants: parts.flatMap((p) => p.flowViolations).slice(0, 20),
        errorsNotInTheJsonShape: parts.flatMap((p) => p.nonJsonErrors).slice(0, 20),
      },
    };
    console.log("\nbad-input fuzzer: answers by route");
    console.table(figures.byRoute);
    console.log(
      `bad-input fuzzer: ${sent} requests to ${Object.keys(byRoute).length} routes in ${figures.parts} parts ` +
        `(${figures.database}), ${figures.fuzzSeconds} s sending (${figures.requestsPerSecond}/s)\n` +
        `  by class: ${JSON.stringify(byClass)}; by status: ${JSON.stringify(byStatus)}\n` +
        `  answered 5xx: ${figures.serverErrors} (must be 0)\n` +
        `  refused (4xx) requests that changed the database: ${figures.refusedRequestsThatWrote} ` +
        `(checked around ${figures.databaseChecks} plans; must be 0)\n` +
        `  sign-in flows: ${figures.signInFlows} (${figures.signInFlowsSignedIn} signed in); ` +
        `redirects that could leave the app: ${figures.unsafeRedirects}; broken sign-in invariants: ` +
        `${figures.brokenSignInInvariants} (must be 0)\n` +
        `  victim's rows changed by the end: ${figures.victimChangedAtEnd.length === 0 ? "no" : `YES in parts ${figures.victimChangedAtEnd.join(", ")}`}\n` +
        `  4xx/5xx not in the { error: { code, message, requestId } } shape: ${figures.errorsNotInTheJsonShape}`,
    );
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`bench results written to ${resultsFile}`);
  }
}
