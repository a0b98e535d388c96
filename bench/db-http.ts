import { neon, neonConfig } from "@neondatabase/serverless";
import { type LocalDatabase, startLocalDatabase } from "../scripts/database";
import { migrateDatabase } from "../scripts/migrate";
import { openNodePool } from "../scripts/node-pool";

/**
 * `npm run bench:db`: the latency of the two ways to Postgres, on loopback through the local proxy —
 * Neon's SQL-over-HTTP (`neon()`, one `POST /sql` per statement or batch, warm server connections)
 * against a new WebSocket Pool per request (what a Worker request does with `openDb`: connect,
 * start up, query, end). Each on the embedded PGlite and, when DATABASE_URL is set, on PostgreSQL.
 * Prints latency, rate and this process's CPU per call (the client and the proxy; when embedded,
 * PGlite too, which runs in this process). Asserts nothing about time. `BENCH_ROUNDS` sets the
 * rounds per case (default 200).
 */

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const CONCURRENCY = 20;

/** Three reads a dashboard-like request makes, the same texts on both paths. */
const READS = [
  "select id, email, plan from users where email = $1",
  "select id, status, created_at from tests where video_id = $1 order by created_at desc limit 20",
  "select count(*)::int as n from titles where text = $1",
];

interface Figures {
  p50: number;
  p99: number;
  mean: number;
  perSecond: number;
  /** This process's CPU per call (µs): the client, the proxy and, when embedded, PGlite itself. */
  cpuMicros: number;
}

/** Runs `once` ROUNDS times over `concurrency` lanes; answers latency percentiles (ms) and rate. */
async function measure(once: () => Promise<unknown>, concurrency: number): Promise<Figures> {
  for (let i = 0; i < 5; i++) await once(); // warm-up: pools, JIT, the proxy's connections
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ROUNDS) {
        next++;
        const t0 = performance.now();
        await once();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: latencies.reduce((s, v) => s + v, 0) / latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    cpuMicros: (cpu.user + cpu.system) / latencies.length,
  };
}

async function benchTarget(target: LocalDatabase): Promise<void> {
  await migrateDatabase(target);
  neonConfig.fetchEndpoint = target.sqlEndpoint;
  const sql = neon(target.databaseUrl);
  const cases: Array<[string, () => Promise<unknown>]> = [
    ["HTTP  select 1", () => sql.query("select 1")],
    [
      "HTTP  3-read batch (1 request)",
      () =>
        sql.transaction(
          READS.map((text) => sql.query(text, ["nobody@example.com"])),
          { readOnly: true },
        ),
    ],
    [
      "WS    select 1 (new Pool)",
      async () => {
        const pool = openNodePool(target);
        try {
          await pool.query("select 1");
        } finally {
          await pool.end();
        }
      },
    ],
    [
      "WS    3 reads (new Pool)",
      async () => {
        const pool = openNodePool(target);
        try {
          for (const text of READS) await pool.query(text, ["nobody@example.com"]);
        } finally {
          await pool.end();
        }
      },
    ],
  ];
  console.log(`\n${target.kind} (${ROUNDS} rounds per case)`);
  console.log(
    "case                                   conc   p50 ms   p99 ms  mean ms      req/s  CPU µs/call",
  );
  for (const concurrency of [1, CONCURRENCY]) {
    for (const [name, once] of cases) {
      const f = await measure(once, concurrency);
      console.log(
        `${name.padEnd(38)} ${String(concurrency).padStart(4)} ${f.p50.toFixed(2).padStart(8)} ${f.p99
          .toFixed(2)
          .padStart(8)} ${f.mean.toFixed(2).padStart(8)} ${f.perSecond.toFixed(0).padStart(10)} ${f.cpuMicros
          .toFixed(0)
          .padStart(12)}`,
      );
    }
  }
}

const embedded = await startLocalDatabase({});
try {
  await benchTarget(embedded);
} finally {
  await embedded.close();
}
if (process.env.DATABASE_URL) {
  const postgres = await startLocalDatabase({ databaseUrl: process.env.DATABASE_URL });
  try {
    await benchTarget(postgres);
  } finally {
    await postgres.close();
  }
}
