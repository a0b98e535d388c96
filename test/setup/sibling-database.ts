import type { TestProject } from "vitest/node";
import { type LocalDatabase, startLocalDatabase } from "../../scripts/database";
import { migrateDatabase } from "../../scripts/migrate";
import { openNodePool } from "../../scripts/node-pool";

/** Runs one statement on the server of `url` (as the database it names). */
async function onServer(url: string, statement: string): Promise<void> {
  const admin = await startLocalDatabase({ databaseUrl: url });
  const pool = openNodePool(admin);
  try {
    await pool.query(statement);
  } finally {
    await pool.end();
    await admin.close();
  }
}

function siblingName(url: string, suffix: string): string {
  return `${new URL(url).pathname.slice(1) || "postgres"}_${suffix}`;
}

/** Creates `<name>_<suffix>` afresh on the server of `url` (dropping an old one); answers its URL. */
export async function createSiblingDatabase(url: string, suffix: string): Promise<string> {
  const name = siblingName(url, suffix);
  await onServer(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await onServer(url, `CREATE DATABASE "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Drops `<name>_<suffix>` from the server of `url`. */
export async function dropSiblingDatabase(url: string, suffix: string): Promise<void> {
  await onServer(url, `DROP DATABASE IF EXISTS "${siblingName(url, suffix)}" WITH (FORCE)`);
}

/**
 * A vitest global setup giving a project a Postgres of its own, apart from the `worker` project's
 * (which resets its tables while others run): a sibling database `<name>_<suffix>` on the server of
 * DATABASE_URL, created fresh each run, or else an embedded PGlite of its own.
 */
export function siblingDatabase(suffix: string) {
  let database: LocalDatabase | undefined;
  return {
    async setup(project: TestProject): Promise<void> {
      const shared = process.env.DATABASE_URL;
      let databaseUrl: string | undefined;
      if (shared) databaseUrl = await createSiblingDatabase(shared, suffix);
      database = await startLocalDatabase({ databaseUrl });
      await migrateDatabase(database);
      project.provide("databaseUrl", database.databaseUrl);
      project.provide("dbWsProxy", database.wsProxy);
      project.provide("databaseKind", database.kind);
    },
    async teardown(): Promise<void> {
      await database?.close();
    },
  };
}
