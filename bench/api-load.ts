import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { openNodePool } from "../scripts/node-pool";
import { freePort } from "../scripts/ports";
import { startStack } from "../scripts/stack";
import { createSiblingDatabase } from "../test/setup/sibling-database";
import { issueSessionToken, SESSION_COOKIE } from "../worker/auth/session";
import { percentile } from "./percentile";
import { addCpuSpent, type CpuSnapshot, cpuPerRequest, cpuSnapshot } from "./process-cpu";

/**
 * API load: 10,000 creators with a test each and 48 slots of history, seeded straight
 * into the database of a local stack (`startStack`: wrangler dev, the emulator, Postgres), then
 * autocannon drives the authenticated `GET /api/dashboard` and `GET /api/tests/:id/results` as
 * random creators (session cookies signed with the stack's own SESSION_KEYS, as the app signs
 * them), and the bare `GET /api/health` of the same Worker, at 50, 200 and 1,000 connections.
 * At each level the routes take turns in LOAD_ROUNDS rounds (`driveLevel`); each round runs a
 * route for a second of warm-up and then its share of LOAD_SECONDS, measured (`driveRound`).
 * Before each round it waits until the stack has worked off the previous round's abandoned
 * requests (`drain`), and records the machine's load average. Prints requests/s and p50/p99
 * latency per route and level, and the ratios to the bare route, then the Server-Timing steps of
 * sequential requests; writes bench/results/api-load.json. Run with `npm run bench:load`.
 *
 * Database: the embedded PGlite unless DATABASE_URL is set; then a fresh sibling database
 * `<name>_load` on that server. Signed-in reads go over Neon's SQL-over-HTTP, one batch each that
 * also checks the session, served locally from the proxy's warm pool (`scripts/database.ts`: 10
 * connections on PostgreSQL, 1 on PGlite), so the load holds no Postgres connection per request.
 * The Worker runs without wrangler's DevTools bridge (`inspector: false`, scripts/worker-dev.ts).
 *
 * Settings (environment): LOAD_USERS (10000), LOAD_SECONDS measured per route and level (15),
 * LOAD_ROUNDS (5), LOAD_LEVELS
 * ("50,200,1000"; 50 and 200 are what the targets are checked at), LOAD_RESULTS (the results
 * file's name, "api-load"), LOAD_ONLY (routes whose name contains it), LOAD_VERBOSE=1 (wrangler's
 * output, with the Worker's error logs).
 */

const USERS = Number(process.env.LOAD_USERS ?? 10_000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 15);
const LEVELS = (process.env.LOAD_LEVELS ?? "50,200,1000").split(",").map(Number);
const RESULTS = (process.env.LOAD_RESULTS ?? "api-load").replace(/[^a-z0-9-]/gi, "_");
const SLOTS = 48;
/** Rounds per level (LOAD_ROUNDS): each route runs SECONDS / ROUNDS measured seconds per round. */
const ROUNDS = Math.max(1, Number(process.env.LOAD_ROUNDS ?? 5));
/** Seconds at the start of every round that are run but not measured. */
const WARMUP_SECONDS = 1;

type Pool = ReturnType<typeof openNodePool>;

/** A seeded creator: their test, and the session their cookie carries. */
interface Seeded {
  userId: string;
  testId: string;
  sessionId: string;
}

/**
 * 10,000 creators in a few set-based statements: users on the three plans pinned to the local
 * project, one test each (70 % running, the rest decided), three titles, 48 hourly slots, a few
 * events, the hourly rollup's user_stats row, and a recorded session. Answers each creator.
 */
async function seed(pool: Pool): Promise<Seeded[]> {
  await pool.query(`
    insert into users (google_sub, email, name, channel_id, channel_title, plan, oauth_project_id, session_version)
    select 'load-sub-' || g, 'load-' || g || '@example.com', 'Load creator ' || g, 'UCload' || g,
           'Channel ' || g, (array['free', 'pro', 'authority'])[1 + g % 3], 'local-1', 1
    from generate_series(1, ${USERS}) g`);
  await pool.query(`
    insert into tests (user_id, video_id, video_title_original, status, metric, interval_minutes,
                       boundary_offset_seconds, auto_apply, starts_at, ends_at, started_at, current_variant,
                       next_rotation_at, decision, winner_variant, winner_lift, p_value, leader_variant,
                       leader_p_best, finished_at)
    select u.id, 'loadvid' || n, 'Original title ' || n,
           case when n % 10 < 7 then 'running' else 'completed' end, 'views', 60, 5 * (n % 12), true,
           now() - interval '48 hours', now() + interval '12 days', now() - interval '48 hours',
           n % 3, now() + interval '30 minutes',
           case when n % 10 < 7 then 'collecting' when n % 10 < 9 then 'winner' else 'same' end,
           case when n % 10 in (7, 8) then 1 end, case when n % 10 in (7, 8) then 0.12 end,
           0.04, 1, 0.8, case when n % 10 >= 7 then now() end
    from (select id, row_number() over (order by email) n from users where email like 'load-%') u`);
  await pool.query(`
    insert into titles (test_id, variant, text)
    select t.id, v, case when v = 0 then t.video_title_original else 'Challenger ' || v || ' of ' || t.video_id end
    from tests t, generate_series(0, 2) v`);
  await pool.query(`
    insert into slots (test_id, slot_index, variant, block, started_at, ended_at, views_start, views_end)
    select t.id, s, (s + (s / 3)) % 3, s / 3, t.started_at + s * interval '1 hour',
           t.started_at + (s + 1) * interval '1 hour', 1000 + s * 120, 1000 + (s + 1) * 120 - (s % 3) * 7
    from tests t, generate_series(0, ${SLOTS - 1}) s`);
  await pool.query(`
    insert into events (user_id, test_id, type, data)
    select t.user_id, t.id, e, '{}'::jsonb from tests t, unnest(array['created', 'scheduled', 'started']) e`);
  await pool.query(`
    insert into user_stats (user_id, tests_run, tests_active, tests_won, tests_same, tests_inconclusive,
                            average_winning_lift, views_during_tests)
    select t.user_id, 1, (t.status = 'running')::int, (t.decision = 'winner')::int, (t.decision = 'same')::int,
           0, t.winner_lift, ${SLOTS * 113}
    from tests t`);
  // Each creator signed in once: the session their cookie names, live for 90 days.
  await pool.query(`
    insert into sessions (user_id, expires_at)
    select id, now() + interval '90 days' from users where email like 'load-%'`);
  // As a running database is: its statistics taken and its visibility map set (autovacuum), so that
  // index-only scans skip the heap as they would there.
  await pool.query("vacuum analyze");
  const { rows } = await pool.query<{ user_id: string; id: string; session_id: string }>(`
    select t.user_id, t.id, s.id session_id
    from tests t join sessions s on s.user_id = t.user_id
    where t.video_id like 'loadvid%'`);
  return rows.map((r) => ({ userId: r.user_id, testId: r.id, sessionId: r.session_id }));
}

/** One request of a run: its path, and the creator (cookie) and address it comes from. */
interface Pick {
  path: string;
  cookie?: string;
  ip: string;
}

/**
 * A client address per creator (a browser keeps its address across requests), so the per-IP
 * limit (600/min) and its RateLimiter objects see what many real clients make, not one address
 * sending everything (which would only measure the limit) nor a new one per request.
 */
function addressOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

interface RunFigures {
  route: string;
  connections: number;
  /** The machine's 1-minute load average as each round started, averaged (the machine is shared). */
  loadAverage: number;
  /** Seconds the stack needed, before the rounds, to work off the previous round's backlog. */
  drainSeconds: number;
  /** Every answer, warm-ups included. */
  requests: number;
  /** Answers per measured second. */
  requestsPerSecond: number;
  /** Successful (2xx) answers per second: errors answered fast must not count as throughput. */
  okPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU milliseconds per request by process role over the rounds (Linux only; see process-cpu.ts). */
  cpuMsPerRequest: Record<string, number>;
}

/** How long one probe of `drain` may take, and how long `drain` waits at most. */
const PROBE_TIMEOUT_MS = 30_000;
const DRAIN_LIMIT_MS = 180_000;

/** One sequential `GET /api/health`: its latency in ms, or null when it failed or timed out. */
async function probeHealth(url: string): Promise<number | null> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api/health`, {
      headers: { "cf-connecting-ip": "192.0.2.250" },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.arrayBuffer();
    return res.ok ? performance.now() - started : null;
  } catch {
    return null;
  }
}

/**
 * Waits until the stack has worked off the previous run's backlog: autocannon stops at the run's
 * end, but the requests it abandoned are still queued in wrangler and workerd, and would be billed
 * to the next run (at 200 connections that backlog alone outlasted a 10-s run). Done when a
 * sequential health probe answers within 3× the idle stack's latency (`idleMs`), or after
 * DRAIN_LIMIT_MS. Answers the seconds waited.
 */
async function drain(url: string, idleMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < DRAIN_LIMIT_MS) {
    const ms = await probeHealth(url);
    if (ms !== null && ms <= Math.max(3 * idleMs, 50)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return Number(((Date.now() - started) / 1000).toFixed(1));
}

/** What one round of one route measured, before the rounds are added up. */
interface Round {
  /** Latencies (ms) of the answers completed in the measured window. */
  latencies: number[];
  /** Of those answers, the 2xx. */
  ok: number;
  /** Every answer of the round, its warm-up included. */
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * One autocannon run against one route: WARMUP_SECONDS (connections open, queues fill) and then
 * `seconds` measured. Throughput and latency count the answers completed in the measured window
 * only: counting from the start would bill each route its own ramp-up, longer for a slower route.
 * Non-2xx, errors and time-outs count over the whole run.
 */
async function driveRound(
  url: string,
  connections: number,
  seconds: number,
  pick: () => Pick,
): Promise<Round> {
  const latencies: number[] = [];
  let ok = 0;
  const started = performance.now();
  const windowStart = started + WARMUP_SECONDS * 1000;
  const windowEnd = windowStart + seconds * 1000;
  const instance = autocannon({
    url,
    connections,
    duration: WARMUP_SECONDS + seconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          const { path, cookie, ip } = pick();
          return {
            ...request,
            method: "GET",
            path,
            headers: { "cf-connecting-ip": ip, ...(cookie ? { cookie } : {}) },
          };
        },
      },
    ],
  });
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    const at = performance.now();
    if (at < windowStart || at > windowEnd) return;
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) ok++;
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = (count as { count: number }).count;
  }
  return {
    latencies,
    ok,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/** One route's figures at one level: its rounds added up. */
function figuresOf(
  route: string,
  connections: number,
  rounds: readonly Round[],
  measuredSeconds: number,
  context: { loadAverages: number[]; drainSeconds: number; cpu: CpuSnapshot },
): RunFigures {
  const latencies = rounds.flatMap((r) => r.latencies);
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds)
    for (const [code, count] of Object.entries(round.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const sum = (field: "requests" | "non2xx" | "errors" | "timeouts") =>
    rounds.reduce((n, r) => n + r[field], 0);
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    route,
    connections,
    loadAverage: Number(
      (context.loadAverages.reduce((a, b) => a + b, 0) / Math.max(1, context.loadAverages.length)).toFixed(1),
    ),
    drainSeconds: Number(context.drainSeconds.toFixed(1)),
    requests: sum("requests"),
    requestsPerSecond: Number((latencies.length / measuredSeconds).toFixed(1)),
    okPerSecond: Number((ok / measuredSeconds).toFixed(1)),
    latencyMs: {
      mean: Number(mean.toFixed(1)),
      p50: Math.round(percentile(latencies, 50) ?? 0),
      p90: Math.round(percentile(latencies, 90) ?? 0),
      p99: Math.round(percentile(latencies, 99) ?? 0),
      max: Math.round(percentile(latencies, 100) ?? 0),
    },
    non2xx: sum("non2xx"),
    errors: sum("errors"),
    timeouts: sum("timeouts"),
    statusCodes,
    cpuMsPerRequest: cpuPerRequest(context.cpu, sum("requests")),
  };
}

/**
 * Every route at one level of concurrency, in ROUNDS rounds in which the routes take turns (each
 * after a `drain`), so that a swing of the shared machine falls on all of them alike rather than
 * on whichever route ran during it. Answers each route's figures.
 */
async function driveLevel(
  url: string,
  connections: number,
  routes: readonly { route: string; pick: () => Pick }[],
  idleMs: number,
): Promise<RunFigures[]> {
  const appPort = Number(new URL(url).port);
  const perRoute = routes.map(({ route, pick }) => ({
    route,
    pick,
    rounds: [] as Round[],
    loadAverages: [] as number[],
    drainSeconds: 0,
    cpu: new Map() as CpuSnapshot,
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of perRoute) {
      run.drainSeconds += await drain(url, idleMs);
      run.loadAverages.push(loadavg()[0] ?? 0);
      const cpuBefore = cpuSnapshot(appPort);
      run.rounds.push(await driveRound(url, connections, SECONDS / ROUNDS, run.pick));
      addCpuSpent(run.cpu, cpuBefore, cpuSnapshot(appPort));
    }
  }
  return perRoute.map(({ route, rounds, loadAverages, drainSeconds, cpu }) =>
    figuresOf(route, connections, rounds, SECONDS, { loadAverages, drainSeconds, cpu }),
  );
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL
    ? await createSiblingDatabase(process.env.DATABASE_URL, "load")
    : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), "ttp-load-"));
  const database = databaseUrl ? `PostgreSQL (${new URL(databaseUrl).pathname.slice(1)})` : "embedded PGlite";
  console.log(`› starting the local stack (${database}) in ${dataDir}`);
  const stack = await startStack({
    appPort: await freePort(),
    emulatorPort: await freePort(),
    dataDir,
    databaseUrl,
    // LOAD_VERBOSE=1 shows wrangler's output (the Worker's logs and error stacks).
    verbose: process.env.LOAD_VERBOSE === "1",
    // wrangler's DevTools bridge would bill its own work on every subrequest to the signed-in routes.
    inspector: false,
  });
  try {
    const pool = openNodePool(stack.database);
    const seedStarted = Date.now();
    let seeded: Seeded[];
    try {
      seeded = await seed(pool);
    } finally {
      await pool.end();
    }
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    console.log(
      `› seeded ${seeded.length} creators, ${seeded.length} tests, ${seeded.length * 3} titles, ${seeded.length * SLOTS} slots in ${seedSeconds.toFixed(1)} s`,
    );

    const secrets = JSON.parse(await readFile(join(dataDir, "dev-secrets.json"), "utf8")) as {
      SESSION_KEYS: string;
    };
    const sessions = await Promise.all(
      seeded.map(
        async (s) =>
          `${SESSION_COOKIE}=${await issueSessionToken(
            { SESSION_KEYS: secrets.SESSION_KEYS },
            {
              userId: s.userId,
              sessionId: s.sessionId,
              version: 1,
              authTime: Math.floor(Date.now() / 1000),
            },
          )}`,
      ),
    );
    const random = () => Math.floor(Math.random() * seeded.length);
    // A signed-in request must work before it is measured (a wrong key would measure 401s).
    const probe = await fetch(`${stack.url}/api/dashboard`, { headers: { cookie: sessions[0] as string } });
    if (probe.status !== 200) throw new Error(`dashboard answered ${probe.status}: ${await probe.text()}`);

    const routes: { route: string; pick: () => Pick }[] = [
      { route: "GET /api/health", pick: () => ({ path: "/api/health", ip: addressOf(random()) }) },
      {
        route: "GET /api/dashboard",
        pick: () => {
          const i = random();
          return { path: "/api/dashboard", cookie: sessions[i], ip: addressOf(i) };
        },
      },
      {
        route: "GET /api/tests/:id/results",
        pick: () => {
          const i = random();
          return { path: `/api/tests/${seeded[i]?.testId}/results`, cookie: sessions[i], ip: addressOf(i) };
        },
      },
    ];
    // The idle stack's health latency: the median of 10 sequential probes after a warm-up.
    for (let n = 0; n < 5; n++) await probeHealth(stack.url);
    const idle: number[] = [];
    for (let n = 0; n < 10; n++) idle.push((await probeHealth(stack.url)) ?? PROBE_TIMEOUT_MS);
    const idleMs = idle.sort((a, b) => a - b)[5] ?? PROBE_TIMEOUT_MS;
    console.log(`› idle GET /api/health: ${idleMs.toFixed(1)} ms (median of 10 sequential)`);

    const runs: RunFigures[] = [];
    const measured = routes.filter((r) => r.route.includes(process.env.LOAD_ONLY ?? ""));
    for (const connections of LEVELS) {
      for (const figures of await driveLevel(stack.url, connections, measured, idleMs)) {
        runs.push(figures);
        console.log(
          `  ${figures.route.padEnd(28)} ${String(connections).padStart(5)} conns (load ${figures.loadAverage}, drained ${figures.drainSeconds} s): ` +
            `${figures.requestsPerSecond} req/s (${figures.okPerSecond} 2xx/s), ` +
            `p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, mean ${figures.latencyMs.mean} ms, ` +
            `non-2xx ${figures.non2xx}, errors ${figures.errors} (${JSON.stringify(figures.statusCodes)})`,
        );
      }
    }

    // Where a request's time goes: the Worker's Server-Timing steps (limit = RateLimiter leases;
    // db = the route's batch, its session check included; total = the whole handler), averaged
    // over sequential requests on the drained stack.
    await drain(stack.url, idleMs);
    const steps: Record<string, Record<string, number>> = {};
    for (const { route, pick } of routes) {
      const sums = new Map<string, number>();
      const samples = 50;
      let failed = 0;
      for (let n = 0; n < samples; n++) {
        const { path, cookie, ip } = pick();
        let res: Response;
        try {
          res = await fetch(`${stack.url}${path}`, {
            headers: { "cf-connecting-ip": ip, ...(cookie ? { cookie } : {}) },
            signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
          });
          await res.arrayBuffer();
        } catch {
          failed++;
          continue;
        }
        if (!res.ok) failed++;
        for (const part of (res.headers.get("server-timing") ?? "").split(",")) {
          const [name, dur] = part.trim().split(";dur=");
          if (name && dur) sums.set(name, (sums.get(name) ?? 0) + Number(dur));
        }
      }
      const answered = Math.max(1, samples - failed);
      steps[route] = {
        ...Object.fromEntries([...sums].map(([k, v]) => [k, Number((v / answered).toFixed(2))])),
        failed,
      };
    }
    console.log("\nServer-Timing, mean ms per step over 50 sequential requests:");
    console.table(steps);

    const table = runs.map((r) => {
      const bare = runs.find((b) => b.route === "GET /api/health" && b.connections === r.connections);
      return {
        route: r.route,
        connections: r.connections,
        "req/s": r.requestsPerSecond,
        "2xx/s": r.okPerSecond,
        "p50 ms": r.latencyMs.p50,
        "p99 ms": r.latencyMs.p99,
        "mean ms": r.latencyMs.mean,
        "non-2xx": r.non2xx,
        errors: r.errors,
        "2xx/s vs bare": bare?.okPerSecond ? Number((r.okPerSecond / bare.okPerSecond).toFixed(3)) : null,
        "p50 vs bare":
          bare && bare.latencyMs.p50 > 0 ? Number((r.latencyMs.p50 / bare.latencyMs.p50).toFixed(2)) : null,
        "p99 vs bare":
          bare && bare.latencyMs.p99 > 0 ? Number((r.latencyMs.p99 / bare.latencyMs.p99).toFixed(2)) : null,
        load: r.loadAverage,
      };
    });
    console.log(
      `\nAPI load: ${seeded.length} creators, ${database}, ${SECONDS} s measured per route and level in ${ROUNDS} rounds`,
    );
    console.table(table);
    console.log("\nCPU ms per request by process (the machine's time, not the request's latency):");
    console.table(Object.fromEntries(runs.map((r) => [`${r.route} @${r.connections}`, r.cpuMsPerRequest])));
    const figures = {
      at: new Date().toISOString(),
      database,
      users: seeded.length,
      slotsPerTest: SLOTS,
      secondsPerRun: SECONDS,
      roundsPerLevel: ROUNDS,
      warmupSecondsPerRound: WARMUP_SECONDS,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      idleHealthMs: Number(idleMs.toFixed(1)),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        freeMemoryGiB: Math.round(freemem() / 2 ** 30),
        node: process.version,
      },
      runs,
      table,
      serverTimingMs: steps,
    };
    const resultsDir = join(import.meta.dirname ?? "bench", "results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${RESULTS}.json`), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`bench results written to ${join(resultsDir, `${RESULTS}.json`)}`);
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
