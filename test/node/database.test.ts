import { afterAll, describe, expect, it } from "vitest";
import { type LocalDatabase, startLocalDatabase } from "../../scripts/database";
import { migrateDatabase } from "../../scripts/migrate";
import { openNodePool } from "../../scripts/node-pool";
import { freshPostgres, incrementInTransaction } from "./local-databases";

const expectedTables = [
  "alerts",
  "analytics_polls",
  "billing_events",
  "billing_subscriptions",
  "dead_letters",
  "events",
  "notification_preferences",
  "notifications",
  "reporting_jobs",
  "sessions",
  "slots",
  "tests",
  "titles",
  "traffic_sources",
  "user_stats",
  "users",
  "video_reach_days",
];

async function tablesOf(target: LocalDatabase): Promise<string[]> {
  const pool = openNodePool(target);
  try {
    const { rows } = await pool.query<{ name: string }>(
      "select tablename as name from pg_tables where schemaname = 'public' order by 1",
    );
    return rows.map((r) => r.name);
  } finally {
    await pool.end();
  }
}

async function appliedMigrations(target: LocalDatabase): Promise<number> {
  const pool = openNodePool(target);
  try {
    const { rows } = await pool.query<{ n: number }>(
      "select count(*)::int as n from drizzle.__drizzle_migrations",
    );
    return rows[0]?.n ?? -1;
  } finally {
    await pool.end();
  }
}

describe("migrations", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("apply to an empty embedded database and re-apply as a no-op", async () => {
    const embedded = await startLocalDatabase({});
    cleanups.push(() => embedded.close());
    expect(await tablesOf(embedded)).toEqual([]);
    await migrateDatabase(embedded);
    expect(await tablesOf(embedded)).toEqual(expectedTables);
    const applied = await appliedMigrations(embedded);
    await migrateDatabase(embedded);
    expect(await appliedMigrations(embedded)).toBe(applied);
  });

  it.runIf(process.env.DATABASE_URL)(
    "apply to an empty PostgreSQL database and re-apply as a no-op",
    async () => {
      const { target, drop } = await freshPostgres(process.env.DATABASE_URL as string, "ttp_migrate");
      cleanups.push(drop);
      expect(await tablesOf(target)).toEqual([]);
      await migrateDatabase(target);
      expect(await tablesOf(target)).toEqual(expectedTables);
      const applied = await appliedMigrations(target);
      expect(applied).toBeGreaterThan(0);
      await migrateDatabase(target);
      expect(await appliedMigrations(target)).toBe(applied);
    },
  );
});

describe("the local WebSocket proxy in front of the embedded database", () => {
  it("runs concurrent transactions from many connections without mixing them up", async () => {
    const embedded = await startLocalDatabase({});
    try {
      const pools = Array.from({ length: 8 }, () => openNodePool(embedded));
      await pools[0]?.query("create table counter (n int not null)");
      await pools[0]?.query("insert into counter values (0)");
      // Each connection increments inside its own transaction, with a query in between that
      // would break if another connection's messages were interleaved on the single backend.
      await Promise.all(
        pools.map(async (pool) => {
          for (let i = 0; i < 5; i++) await incrementInTransaction(pool, "counter");
        }),
      );
      const { rows } = await (pools[0]?.query<{ n: number }>("select n from counter") ?? Promise.reject());
      expect(rows[0]?.n).toBe(40);
      await Promise.all(pools.map((pool) => pool.end()));
    } finally {
      await embedded.close();
    }
  });
});
