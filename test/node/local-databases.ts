import type { Pool } from "@neondatabase/serverless";
import { type LocalDatabase, startLocalDatabase } from "../../scripts/database";
import { openNodePool } from "../../scripts/node-pool";

/** A new, empty database named `<prefix>_<pid>_<time>` on the server of `serverUrl`; `drop` removes it. */
export async function freshPostgres(
  serverUrl: string,
  prefix: string,
): Promise<{ target: LocalDatabase; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = await startLocalDatabase({ databaseUrl: serverUrl });
  const adminPool = openNodePool(admin);
  await adminPool.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const target = await startLocalDatabase({ databaseUrl: url.toString() });
  return {
    target,
    drop: async () => {
      await target.close();
      await adminPool.query(`drop database if exists ${name} with (force)`);
      await adminPool.end();
      await admin.close();
    },
  };
}

/**
 * Adds one to `table`'s single `n` in a transaction of its own on a connection of `pool`: a read,
 * then a write of what was read, which comes out wrong if another session's messages or writes
 * get in between. `lock` is appended to the read (`for update` where sessions really run at once).
 */
export async function incrementInTransaction(pool: Pool, table: string, lock = ""): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const { rows } = await client.query<{ n: number }>(`select n from ${table} ${lock}`);
    await client.query(`update ${table} set n = $1`, [(rows[0]?.n ?? 0) + 1]);
    await client.query("commit");
  } finally {
    client.release();
  }
}
