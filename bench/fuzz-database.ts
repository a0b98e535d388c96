import type { TestProject } from "vitest/node";
import { type LocalDatabase, startLocalDatabase } from "../scripts/database";
import { migrateDatabase } from "../scripts/migrate";
import { openNodePool } from "../scripts/node-pool";

let database: LocalDatabase | undefined;

/**
 * The fuzzer's own Postgres: a sibling database `<name>_fuzz` on the server of DATABASE_URL,
 * created fresh each run (the `worker` tests and the other benchmarks keep theirs), or else an
 * embedded PGlite in memory.
 */
export async function setup(project: TestProject): Promise<void> {
  const shared = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  if (shared) {
    const admin = await startLocalDatabase({ databaseUrl: shared });
    const url = new URL(shared);
    const name = `${url.pathname.slice(1) || "postgres"}_fuzz`;
    const pool = openNodePool(admin);
    try {
      await pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await pool.query(`CREATE DATABASE "${name}"`);
    } finally {
      await pool.end();
      await admin.close();
    }
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  database = await startLocalDatabase({ databaseUrl });
  await migrateDatabase(database);
  project.provide("databaseUrl", database.databaseUrl);
  project.provide("dbWsProxy", database.wsProxy);
  project.provide("databaseKind", database.kind);
}

export async function teardown(): Promise<void> {
  await database?.close();
}
