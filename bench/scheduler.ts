import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { percentile } from "./percentile";
import {
  type Creator,
  callsSince,
  emulatorAdmin,
  inParallel,
  makeCreator,
  rssMiB,
  startBenchStack,
} from "./soak-stack";

/**
 * The scheduler benchmark: N active tests in one local stack (`wrangler dev`: one workerd
 * runs every TestRotator, the VideoPoller and the QuotaLedger) against the emulator, with real alarms.
 * Every test is created with a `startAt` in the same minute, right after a point of the slot grid, so
 * two herds follow:
 *  1. the starts: every test's first step falls due within that minute (one per second, in turn);
 *  2. the first rotation, one interval later: the boundaries of all tests in the same minute (the
 *     tests' fixed offsets, twelve 5-second phases, spread it over that minute): the thundering herd of boundaries.
 * Measured from Postgres (slots.started_at is when the alarm's step began; the events' `at` when the
 * step was done): alarm lateness p50/p99 against the planned boundary, rotations per second, the
 * time until every due rotation is done; the workerd process's RSS; units per rotation from the
 * emulator's call log; and what a pool of projects carries.
 *
 * Why a Node script against `wrangler dev` and not an engine-bench in vitest-pool-workers: the
 * engine benches run alarms by hand (`runDurableObjectAlarm`), so they cannot show how late real
 * alarms fire, and their workerd also runs vitest; here the alarms are the runtime's own.
 *
 *   npm run bench:scheduler -- [--tests 10000] [--interval 10] [--per-creator 100]
 */

const { values: flags } = parseArgs({
  options: {
    tests: { type: "string", default: "10000" },
    interval: { type: "string", default: "10" },
    "per-creator": { type: "string", default: "100" },
    concurrency: { type: "string", default: "24" },
    "keep-data": { type: "boolean", default: false },
    out: { type: "string", default: "bench/results/scheduler.json" },
  },
});
const TARGET = 10_000;
const TESTS = Number(flags.tests);
const INTERVAL_MIN = Number(flags.interval);
const PER_CREATOR = Number(flags["per-creator"]);
const CONCURRENCY = Number(flags.concurrency);
const MINUTE = 60_000;
const INTERVAL_MS = INTERVAL_MIN * MINUTE;
/** Test creation through the API, per test, to place the common start (measured here: ~50 ms). */
const CREATE_MS_ESTIMATE = 90;
/** The slowest herd the run waits for: 10 rotations a second (measured here: 15–17). */
const HERD_MS_PER_TEST = 100;

const log = (line: string) => console.log(`[scheduler ${new Date().toISOString().slice(11, 19)}] ${line}`);

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "ttp-scheduler-"));
  const began = Date.now();
  log(`target ${TARGET} tests; running ${TESTS}, ${INTERVAL_MIN}-minute slots; data in ${dataDir}`);
  const stack = await startBenchStack({
    dataDir,
    databaseUrl: process.env.DATABASE_URL || undefined,
    dailyLimit: 1_000_000_000,
    log,
  });
  const rss: { at: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const mib = rssMiB(stack.workerdPid());
    if (mib !== null) rss.push({ at: Date.now(), mib });
  }, 2_000);
  try {
    const emu = <T = unknown>(method: string, path: string, body?: unknown) =>
      emulatorAdmin<T>(stack.emulatorUrl, method, path, body);
    const idleRss = rssMiB(stack.workerdPid());

    const creatorCount = Math.ceil(TESTS / PER_CREATOR);
    const creators = await inParallel(
      Array.from({ length: creatorCount }, (_, i) => `sched-${i}@example.com`),
      8,
      (email) => makeCreator(stack, email),
    );
    const videos = await inParallel(
      Array.from({ length: TESTS }, (_, i) => i),
      32,
      async (i) => {
        const creator = creators[i % creatorCount] as Creator;
        const original = `Scheduler video ${i}`;
        const video = await emu<{ id: string }>("POST", "/videos", {
          channelId: creator.channelId,
          title: original,
          categoryId: "26",
          viewsPerDay: 2_400,
        });
        return { i, creator, videoId: video.id };
      },
    );
    log(`${creators.length} creators and ${videos.length} videos ready`);

    // The common start: on the grid, far enough ahead for every test to be created before it.
    const earliest = Date.now() + Math.max(2 * MINUTE, TESTS * CREATE_MS_ESTIMATE) + 30_000;
    const start = Math.ceil(earliest / INTERVAL_MS) * INTERVAL_MS;
    const endAt = new Date(start + 8 * INTERVAL_MS).toISOString();
    log(
      `common start ${new Date(start).toISOString()}, first rotation in the minute after ${new Date(start + INTERVAL_MS).toISOString()}`,
    );
    const createdAt = Date.now();
    const ids: string[] = [];
    let failures = 0;
    await inParallel(videos, CONCURRENCY, async ({ i, creator, videoId }) => {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const res = await fetch(`${stack.url}/api/tests`, {
          method: "POST",
          headers: { cookie: creator.cookie, origin: stack.url, "content-type": "application/json" },
          body: JSON.stringify({
            videoId,
            titles: [`Scheduler ${i}: second`, `Scheduler ${i}: third`],
            intervalMinutes: INTERVAL_MIN,
            startAt: new Date(start + (i % 60) * 1000).toISOString(),
            endAt,
          }),
        }).catch(() => null);
        if (res?.status === 201) {
          ids.push(((await res.json()) as { id: string }).id);
          return;
        }
        await res?.text();
        await sleep(1000);
      }
      failures++;
    });
    const createSeconds = (Date.now() - createdAt) / 1000;
    const createdLate = Date.now() > start;
    log(
      `${ids.length} tests created in ${createSeconds.toFixed(0)} s (${(ids.length / createSeconds).toFixed(0)}/s, ${failures} failed)${createdLate ? " — AFTER the common start" : ""}`,
    );
    const scheduledRss = rssMiB(stack.workerdPid());

    const sinceCall = (await callsSince(stack.emulatorUrl, 0)).at(-1)?.id ?? 0;
    // Wait for both herds to be done (or a deadline), watching progress.
    const deadline = start + INTERVAL_MS + Math.max(12 * MINUTE, TESTS * HERD_MS_PER_TEST);
    const pool = stack.pool();
    let herd2Done = false;
    const query = async (text: string, params: unknown[]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await pool.query(text, params);
        } catch (err) {
          if (attempt >= 30) throw err;
          await sleep(2_000);
        }
      }
    };
    while (Date.now() < deadline) {
      await sleep(10_000);
      // The server's connections may all be taken by the herd: a failed look is skipped, not fatal.
      const look = await pool
        .query(
          "SELECT slot_index, count(*)::int AS n FROM slots WHERE test_id = ANY($1) GROUP BY slot_index ORDER BY slot_index",
          [ids],
        )
        .catch((err: unknown) => {
          log(`progress query failed: ${err instanceof Error ? err.message : err}`);
          return null;
        });
      if (!look) continue;
      const { rows } = look;
      const counts = Object.fromEntries(
        (rows as { slot_index: number; n: number }[]).map((r) => [r.slot_index, r.n]),
      );
      log(`slots opened: ${JSON.stringify(counts)}; workerd RSS ${rss.at(-1)?.mib.toFixed(0)} MiB`);
      if ((counts[1] ?? 0) >= ids.length && Date.now() > start + INTERVAL_MS + MINUTE) {
        herd2Done = true;
        // Let the last copies land.
        await sleep(5_000);
        break;
      }
    }

    const slots = (
      await query(
        `SELECT s.test_id, s.slot_index, s.started_at, t.boundary_offset_seconds, t.starts_at
           FROM slots s JOIN tests t ON t.id = s.test_id WHERE s.test_id = ANY($1) AND s.slot_index <= 1`,
        [ids],
      )
    ).rows as {
      test_id: string;
      slot_index: number;
      started_at: unknown;
      boundary_offset_seconds: number;
      starts_at: unknown;
    }[];
    const events = (
      await query(
        "SELECT test_id, type, created_at, data FROM events WHERE test_id = ANY($1) AND type IN ('started', 'rotated')",
        [ids],
      )
    ).rows as { test_id: string; type: string; created_at: unknown; data: { slot?: number } }[];
    const offsetOf = new Map(slots.map((s) => [s.test_id, s.boundary_offset_seconds * 1000]));
    const startOf = new Map(slots.map((s) => [s.test_id, ms(s.starts_at)]));

    const herd = (slotIndex: number, planned: (testId: string) => number, eventType: string) => {
      const fired = slots
        .filter((s) => s.slot_index === slotIndex)
        .map((s) => ms(s.started_at) - planned(s.test_id));
      const done = events
        .filter((e) => e.type === eventType && (e.data?.slot ?? slotIndex) === slotIndex)
        .map((e) => ({ at: ms(e.created_at), late: ms(e.created_at) - planned(e.test_id) }));
      const doneAts = done.map((d) => d.at).sort((a, b) => a - b);
      const first = doneAts[0] ?? 0;
      const last = doneAts.at(-1) ?? 0;
      const perSecond = new Map<number, number>();
      for (const at of doneAts)
        perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
      const windowStart = Math.min(...ids.map((id) => planned(id)));
      return {
        due: ids.length,
        done: done.length,
        alarmLatenessMs: {
          p50: percentile(fired, 50),
          p99: percentile(fired, 99),
          max: percentile(fired, 100),
        },
        doneLatenessMs: {
          p50: percentile(
            done.map((d) => d.late),
            50,
          ),
          p99: percentile(
            done.map((d) => d.late),
            99,
          ),
          max: percentile(
            done.map((d) => d.late),
            100,
          ),
        },
        rotationsPerSecondSustained:
          done.length > 1 ? Number((done.length / Math.max(1, (last - first) / 1000)).toFixed(1)) : null,
        rotationsPerSecondPeak: Math.max(0, ...perSecond.values()),
        secondsUntilAllDone: done.length ? Number(((last - windowStart) / 1000).toFixed(1)) : null,
      };
    };
    // Tests that never left `scheduled` in Postgres (their start was never copied there).
    const stuck = (
      await query(
        "SELECT id FROM tests WHERE id = ANY($1) AND status = 'scheduled' AND next_rotation_at IS NULL",
        [ids],
      )
    ).rows.map((r) => (r as { id: string }).id);
    const starts = herd(0, (id) => startOf.get(id) ?? start, "started");
    const rotations = herd(1, (id) => start + INTERVAL_MS + (offsetOf.get(id) ?? 0), "rotated");

    // Quota: what YouTube billed for the rotation herd (its reads and updates), per rotation.
    const herdFrom = start + INTERVAL_MS - 1000;
    const calls = (await callsSince(stack.emulatorUrl, sinceCall)).filter(
      (c) => Date.parse(String(c.at)) >= herdFrom,
    );
    const units = calls.reduce((sum, c) => sum + c.units, 0);
    const updates = calls.filter((c) => c.method === "videos.update" && c.status === 200).length;
    const lists = calls.filter((c) => c.method === "videos.list");
    const unitsPerUpdate = rotations.done ? Number((units / rotations.done).toFixed(3)) : null;
    const rssValues = rss.map((r) => r.mib);
    const previous = readQuotaEfficiency();
    const perRotation = unitsPerUpdate ?? 50;
    const pools = [1, 10, 100, 300].map((n) => ({
      projects: n,
      rotationsPerDayAtFloor: (n * 10_000) / 50,
      rotationsPerDayMeasured: Math.floor((n * 10_000) / perRotation),
    }));
    const result = {
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      target: TARGET,
      ran: ids.length,
      intervalMinutes: INTERVAL_MIN,
      database: stack.database.kind,
      creation: {
        seconds: Number(createSeconds.toFixed(1)),
        perSecond: Number((ids.length / createSeconds).toFixed(1)),
        failures,
        createdAfterStart: createdLate,
      },
      herdStarts: starts,
      herdRotations: rotations,
      allRotationsDone: herd2Done,
      testsStuckWithoutCopy: { count: stuck.length, sample: stuck.slice(0, 5) },
      workerdRssMiB: {
        idle: idleRss === null ? null : Math.round(idleRss),
        afterCreation: scheduledRss === null ? null : Math.round(scheduledRss),
        max: rssValues.length ? Math.round(Math.max(...rssValues)) : null,
        last: rssValues.length ? Math.round(rssValues.at(-1) as number) : null,
      },
      quota: {
        unitsPerRotationHere: unitsPerUpdate,
        calls: calls.length,
        units,
        videosUpdate: updates,
        videosList: lists.length,
        videosListUnits: lists.reduce((s, c) => s + c.units, 0),
        fromQuotaBench: previous,
        pools,
      },
      realMinutes: Number(((Date.now() - began) / MINUTE).toFixed(1)),
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(flags.out as string, `${JSON.stringify(result, null, 2)}\n`);
    log(`written to ${flags.out}`);
    return 0;
  } finally {
    clearInterval(sampler);
    await stack.stop();
    if (!flags["keep-data"]) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Units per rotation at 10, 200 (and 2,000) tests from `npm run bench:quota`'s last run, if any. */
function readQuotaEfficiency(): unknown {
  try {
    const r = JSON.parse(readFileSync("bench/results/quota-efficiency.json", "utf8")) as {
      at: string;
      figures: { tests: number; unitsPerRotation: number }[];
    };
    return {
      at: r.at,
      unitsPerRotation: Object.fromEntries(r.figures.map((f) => [f.tests, f.unitsPerRotation])),
    };
  } catch {
    return null;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
