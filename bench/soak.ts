import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { checkSoak, type Expectation } from "./soak-check";
import {
  type Creator,
  callsSince,
  emulatorAdmin,
  inParallel,
  makeCreator,
  rssMiB,
  SECOND_PROJECT,
  signIn,
  startBenchStack,
} from "./soak-stack";

/**
 * The fault soak: N tests with 1-minute slots over H simulated hours on a local stack whose
 * emulator runs 60× (a real minute carries an hour of viewers), with 10 % of YouTube calls failing
 * with 503 (the emulator's fault on every method), 2 % timing out (a proxy in front of the Data API,
 * half of them after the emulator applied the call), one quota project exhausted mid-run, one
 * creator's grant revoked (and reconnected later), and the Worker killed (SIGKILL) and restarted.
 * Then `soak-check.ts` compares YouTube's side with Postgres. Exits 1 on any loss.
 *
 *   npm run bench:soak -- [--tests 1000] [--hours 24] [--restarts 2] [--per-creator 10]
 */

const { values: flags } = parseArgs({
  options: {
    tests: { type: "string", default: "1000" },
    hours: { type: "string", default: "24" },
    restarts: { type: "string", default: "2" },
    "per-creator": { type: "string", default: "10" },
    "keep-data": { type: "boolean", default: false },
    out: { type: "string", default: "bench/results/soak.json" },
  },
});
const TESTS = Number(flags.tests);
const HOURS = Number(flags.hours);
const RESTARTS = Number(flags.restarts);
const PER_CREATOR = Number(flags["per-creator"]);
/** Simulated seconds per real second: a 1-minute slot carries an hour of viewers. */
const SPEED = 60;
const MINUTE = 60_000;
const ERROR_RATE = 0.1;
const TIMEOUT_RATE = 0.02;
const GRANT_TTL_MS = 120_000;
/** A test lasts at least two blocks: 2 variants fit a run of 4 simulated hours, 3 need 6. */
const VARIANTS = HOURS >= 6 ? 3 : 2;

const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<number> {
  if (HOURS < 4) throw new Error("--hours must be at least 4 (a test runs at least two blocks of 2 slots)");
  const dataDir = mkdtempSync(join(tmpdir(), "ttp-soak-"));
  const startedAt = Date.now();
  log(
    `${TESTS} tests × ${HOURS} simulated hours (${HOURS} real minutes at ${SPEED}×), ${RESTARTS} restarts; data in ${dataDir}`,
  );
  const stack = await startBenchStack({
    dataDir,
    databaseUrl: process.env.DATABASE_URL || undefined,
    dailyLimit: 100_000_000,
    faultProxy: true,
    log,
  });
  const rss: { at: number; mib: number | null }[] = [];
  let exitCode = 2;
  try {
    const emu = <T = unknown>(method: string, path: string, body?: unknown) =>
      emulatorAdmin<T>(stack.emulatorUrl, method, path, body);
    const adminHeaders = {
      authorization: `Bearer ${stack.secrets.ADMIN_API_TOKEN}`,
      "content-type": "application/json",
    };
    await emu("PUT", "/clock", { speed: SPEED });
    await emu("PUT", "/settings", { accessTokenTtlSeconds: 3599 * SPEED });
    log(`stack up (${stack.database.kind} Postgres) in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);

    // Creators: most on local-1; a tenth signed in after local-2 exists, so they are pinned to it.
    const creatorCount = Math.ceil(TESTS / PER_CREATOR);
    const onSecond = creatorCount >= 2 ? Math.max(1, Math.round(creatorCount / 10)) : 0;
    const emails = Array.from({ length: creatorCount }, (_, i) => `soak-${i}@example.com`);
    const first = await inParallel(emails.slice(0, creatorCount - onSecond), 8, (e) => makeCreator(stack, e));
    await emu("POST", "/projects", {
      id: SECOND_PROJECT.id,
      clientId: SECOND_PROJECT.clientId,
      clientSecret: SECOND_PROJECT.clientSecret,
      apiKey: SECOND_PROJECT.apiKey,
      dailyLimit: 100_000_000,
    });
    const added = await fetch(`${stack.url}/api/admin/quota/projects`, {
      method: "POST",
      headers: adminHeaders,
      body: JSON.stringify({
        id: SECOND_PROJECT.id,
        clientId: SECOND_PROJECT.clientId,
        clientSecretRef: SECOND_PROJECT.clientSecretRef,
        apiKeyRef: SECOND_PROJECT.apiKeyRef,
        dailyLimit: 100_000_000,
      }),
    });
    if (!added.ok) throw new Error(`adding ${SECOND_PROJECT.id}: ${added.status} ${await added.text()}`);
    const second = await inParallel(emails.slice(creatorCount - onSecond), 8, (e) => makeCreator(stack, e));
    const creators: Creator[] = [...first, ...second];
    const pins = (
      await stack
        .pool()
        .query("SELECT id, oauth_project_id FROM users WHERE id = ANY($1)", [creators.map((c) => c.userId)])
    ).rows as { id: string; oauth_project_id: string }[];
    for (const c of creators) c.project = pins.find((p) => p.id === c.userId)?.oauth_project_id;
    const perProject = creators.reduce<Record<string, number>>((m, c) => {
      m[c.project ?? "?"] = (m[c.project ?? "?"] ?? 0) + 1;
      return m;
    }, {});
    log(`${creators.length} creators signed in, pinned ${JSON.stringify(perProject)}`);

    // Videos and tests: a fifth have a challenger with 3× the click-through (they find a winner
    // early); the others' titles draw alike (they run to their end).
    const testsStart = Date.now();
    const endAt = new Date(testsStart + HOURS * MINUTE + MINUTE).toISOString();
    const expectations: Expectation[] = [];
    const sinceCallId = (await callsSince(stack.emulatorUrl, 0)).at(-1)?.id ?? 0;
    const jobs = Array.from({ length: TESTS }, (_, i) => ({
      i,
      creator: creators[i % creators.length] as Creator,
    }));
    await inParallel(jobs, 16, async ({ i, creator }) => {
      const original = `Soak video ${i}`;
      const video = await emu<{ id: string }>("POST", "/videos", {
        channelId: creator.channelId,
        title: original,
        categoryId: "26",
        description: `Description of soak video ${i}`,
        tags: ["soak", `v${i}`],
        viewsPerDay: 1_200 + ((i * 7919) % 3_600),
      });
      const challengers = [`Soak ${i}: the challenger`, `Soak ${i}: the third`].slice(0, VARIANTS - 1);
      const strong = i % 5 === 0;
      for (const [k, title] of [original, ...challengers].entries())
        await emu("PUT", "/ctr", { videoId: video.id, title, ctr: strong && k === 1 ? 0.15 : 0.05 });
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${stack.url}/api/tests`, {
          method: "POST",
          headers: { cookie: creator.cookie, origin: stack.url, "content-type": "application/json" },
          body: JSON.stringify({ videoId: video.id, titles: challengers, intervalMinutes: 1, endAt }),
        });
        if (res.status === 201) {
          const { id } = (await res.json()) as { id: string };
          expectations.push({
            testId: id,
            videoId: video.id,
            expect: creator.project === SECOND_PROJECT.id ? "quota_wait" : "finished",
          });
          return;
        }
        if (attempt >= 5) throw new Error(`creating test ${i}: ${res.status} ${await res.text()}`);
        await sleep(500);
      }
    });
    log(
      `${expectations.length} tests created in ${((Date.now() - testsStart) / 1000).toFixed(0)} s; faults on`,
    );

    // Faults from now on.
    await emu("PUT", "/faults", { method: "*", errorRate: ERROR_RATE, status: 503 });
    stack.setTimeoutRate(TIMEOUT_RATE);
    const t0 = Date.now();
    const span = HOURS * MINUTE;
    const revoked = first[0];
    const incidents: { at: number; name: string; run: () => Promise<string> }[] = [];
    const restartAt =
      RESTARTS === 1
        ? [0.5]
        : Array.from({ length: RESTARTS }, (_, k) => 0.3 + (0.4 * k) / Math.max(1, RESTARTS - 1));
    for (const f of restartAt)
      incidents.push({
        at: t0 + f * span,
        name: "restart",
        run: async () => `worker down ${((await stack.restartWorker()).downMs / 1000).toFixed(1)} s`,
      });
    if (revoked) {
      incidents.push({
        at: t0 + 0.4 * span,
        name: "revoke",
        run: async () => {
          await emu("POST", `/accounts/${encodeURIComponent(revoked.email)}/revoke`);
          return `revoked ${revoked.email} (${revoked.userId})`;
        },
      });
      incidents.push({
        at: t0 + 0.55 * span,
        name: "reconnect",
        run: async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              const again = await signIn(stack.url, revoked.email, revoked.projectHint);
              revoked.cookie = again.cookie;
              return `${revoked.email} signed in again (attempt ${attempt})`;
            } catch (err) {
              if (attempt >= 10) throw err;
              await sleep(1000);
            }
          }
        },
      });
    }
    let exhaustedAt: number | undefined;
    if (onSecond > 0)
      incidents.push({
        at: t0 + 0.5 * span,
        name: "exhaust",
        run: async () => {
          exhaustedAt = Date.now();
          const q = await emu<{ used: number; limit: number }>(
            "POST",
            `/projects/${SECOND_PROJECT.id}/exhaust`,
          );
          return `${SECOND_PROJECT.id} exhausted (${JSON.stringify(q)})`;
        },
      });
    incidents.sort((a, b) => a.at - b.at);
    const incidentLog: { at: string; name: string; result: string }[] = [];

    // The platform's cron (wrangler dev never fires it by itself). Production runs it every 5 minutes
    // for slots of 15 minutes and more; with 1-minute slots the soak runs it every minute, so the
    // stale-test sweep (2 intervals late) sees a lost alarm as soon as production would, relatively.
    const cron = () =>
      fetch(`${stack.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`)
        .then((r) => r.text())
        .catch(() => undefined);
    let nextCron = t0 + MINUTE;
    let nextRss = t0;
    let nextProgress = t0 + MINUTE;
    // Until the tests' end time; then the last steps settle.
    while (Date.now() < Date.parse(endAt)) {
      const now = Date.now();
      const due = incidents[0];
      if (due && due.at <= now) {
        incidents.shift();
        const result = await due.run().catch((err) => `FAILED: ${err instanceof Error ? err.message : err}`);
        incidentLog.push({ at: new Date().toISOString(), name: due.name, result });
        log(`${due.name}: ${result}`);
      }
      if (now >= nextCron) {
        nextCron += MINUTE;
        await cron();
      }
      if (now >= nextRss) {
        nextRss += 30_000;
        rss.push({ at: now, mib: rssMiB(stack.workerdPid()) });
      }
      if (now >= nextProgress) {
        nextProgress += MINUTE;
        const { rows } = await stack
          .pool()
          .query("SELECT status, count(*)::int AS n FROM tests GROUP BY status")
          .catch(() => ({ rows: [] }));
        const slots = await stack
          .pool()
          .query("SELECT count(*)::int AS n FROM slots")
          .catch(() => ({ rows: [{ n: "?" }] }));
        log(
          `t+${((now - t0) / MINUTE).toFixed(0)} min: ${(rows as { status: string; n: number }[]).map((r) => `${r.status} ${r.n}`).join(", ")}; slots ${(slots.rows[0] as { n: number }).n}; proxy attempts ${stack.attempts.length}`,
        );
      }
      await sleep(250);
    }

    // Let the last steps finish (retries back off up to minutes), faults still on, then stop them.
    const settleDeadline = Date.now() + (HOURS >= 12 ? 6 : 4) * MINUTE;
    const ids = expectations.map((e) => e.testId);
    for (;;) {
      if (Date.now() >= nextCron) {
        nextCron = Date.now() + MINUTE;
        await cron();
      }
      const { rows } = await stack.pool().query(
        `SELECT count(*)::int AS n FROM tests WHERE id = ANY($1) AND next_rotation_at IS NOT NULL
             AND next_rotation_at < now() + interval '1 hour'`,
        [ids],
      );
      const pending = (rows[0] as { n: number }).n;
      if (pending === 0 || Date.now() > settleDeadline) {
        log(`settled: ${pending} tests with a step still due soon`);
        break;
      }
      await sleep(5_000);
    }
    await emu("DELETE", "/faults");
    stack.setTimeoutRate(0);

    const ledger = (await (
      await fetch(`${stack.url}/api/admin/quota`, { headers: adminHeaders })
    ).json()) as Parameters<typeof checkSoak>[0]["ledger"];
    const report = await checkSoak({
      pool: stack.pool(),
      emulatorUrl: stack.emulatorUrl,
      expectations,
      sinceCallId,
      exhausted: exhaustedAt ? { project: SECOND_PROJECT.id, at: exhaustedAt } : undefined,
      grantTtlMs: GRANT_TTL_MS,
      ledger,
      attempts: stack.attempts,
      userIds: creators.map((c) => c.userId),
    });
    // Evidence for each finding on a video: what YouTube saw of it.
    const calls = await callsSince(stack.emulatorUrl, sinceCallId);
    const evidence = report.findings
      .filter((f) => f.videoId)
      .slice(0, 10)
      .map((f) => ({
        ...f,
        updates: calls
          .filter((c) => c.videoId === f.videoId && c.method === "videos.update")
          .map((c) => ({ id: c.id, at: c.at, status: c.status, reason: c.reason, project: c.project })),
      }));
    const rssValues = rss.map((r) => r.mib).filter((v): v is number => v !== null);
    const result = {
      at: new Date().toISOString(),
      machine: machine(),
      config: {
        tests: TESTS,
        simulatedHours: HOURS,
        speed: SPEED,
        intervalMinutes: 1,
        variants: VARIANTS,
        creators: creators.length,
        creatorsPerProject: perProject,
        errorRate: ERROR_RATE,
        timeoutRate: TIMEOUT_RATE,
        restarts: RESTARTS,
        database: stack.database.kind,
      },
      incidents: incidentLog,
      realMinutes: Number(((Date.now() - startedAt) / MINUTE).toFixed(1)),
      workerdRssMiB: {
        max: rssValues.length ? Math.max(...rssValues) : null,
        last: rssValues.at(-1) ?? null,
      },
      ...report,
      findings: report.findings,
      evidence,
    };
    const { findings: _f, evidence: _e, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
    if (report.findings.length) {
      console.log("findings (first 30):");
      for (const f of report.findings.slice(0, 30))
        console.log(`  ${f.kind} ${f.testId ?? ""} ${f.videoId ?? ""}: ${f.detail}`);
    }
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(flags.out as string, `${JSON.stringify(result, null, 2)}\n`);
    const lost = Object.values(report.losses).reduce((a, b) => a + b, 0);
    log(`losses ${JSON.stringify(report.losses)} → ${lost === 0 ? "OK" : "LOSS"}; written to ${flags.out}`);
    exitCode = lost === 0 ? 0 : 1;
    if (exitCode && stack.databaseName) log(`database ${stack.databaseName} kept for inspection`);
    return exitCode;
  } finally {
    await stack.stop(exitCode === 1);
    if (!flags["keep-data"] && exitCode !== 1) rmSync(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  }
}

function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
