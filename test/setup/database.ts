import type { TestProject } from "vitest/node";
import { type LocalDatabase, startLocalDatabase } from "../../scripts/database";
import { migrateDatabase } from "../../scripts/migrate";
import { resetDatabase } from "../../scripts/reset-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    dbWsProxy: string;
    databaseKind: "postgres" | "embedded";
  }
}

let database: LocalDatabase | undefined;

/**
 * Starts the tests' Postgres: the real server of DATABASE_URL (CI sets one), or else the embedded
 * PGlite in memory; migrates it, empties it (Postgres outlives vitest's isolated storage), and
 * hands its address to the Worker tests as bindings.
 */
export async function setup(project: TestProject): Promise<void> {
  database = await startLocalDatabase({ databaseUrl: process.env.DATABASE_URL || undefined });
  await migrateDatabase(database);
  await resetDatabase(database);
  project.provide("databaseUrl", database.databaseUrl);
  project.provide("dbWsProxy", database.wsProxy);
  project.provide("databaseKind", database.kind);
}

export async function teardown(): Promise<void> {
  await database?.close();
}
