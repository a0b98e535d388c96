import { openNodePool } from "./node-pool";

/** Empties every table of the app (not drizzle's migration record): for tests and benchmarks. */
export async function resetDatabase(target: { databaseUrl: string; wsProxy: string }): Promise<void> {
  const pool = openNodePool(target);
  try {
    const { rows } = await pool.query<{ name: string }>(
      "select quote_ident(tablename) as name from pg_tables where schemaname = 'public'",
    );
    if (rows.length > 0)
      await pool.query(`truncate ${rows.map((r) => r.name).join(", ")} restart identity cascade`);
  } finally {
    await pool.end();
  }
}
