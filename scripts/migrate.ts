import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { startLocalDatabase } from "./database";
import { openNodePool } from "./node-pool";

/** The folder drizzle-kit writes migrations to (drizzle.config.ts). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../schema/migrations", import.meta.url));

/**
 * Applies every migration not yet applied, through the same driver the Worker uses. Applying
 * twice is a no-op (drizzle records applied migrations in `drizzle.__drizzle_migrations`).
 */
export async function migrateDatabase(target: { databaseUrl: string; wsProxy?: string }): Promise<void> {
  const pool = openNodePool(target);
  try {
    await migrate(drizzle({ client: pool }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}

// `npm run db:migrate`: migrates DATABASE_URL (Neon or any Postgres), or the embedded database.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL;
  const local = await startLocalDatabase({ databaseUrl, dataDir: databaseUrl ? undefined : ".data/pglite" });
  try {
    // Neon is reached directly; a plain Postgres needs the local proxy.
    const direct = databaseUrl?.includes(".neon.tech");
    await migrateDatabase(direct ? { databaseUrl: local.databaseUrl } : local);
    console.log(`migrations applied (${local.kind} database)`);
  } finally {
    await local.close();
  }
}
