import { Pool, type PoolClient } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { withReplicas } from "drizzle-orm/pg-core";
import * as schema from "../../schema";
import { useLocalProxy } from "./driver";

/** What the database client needs from the environment. */
export interface DbEnv {
  DATABASE_URL?: string;
  DATABASE_URL_READ?: string;
  DB_WS_PROXY?: string;
}

/** A drizzle database bound to the schema; reads go to the replica when one is configured. */
export type Db = ReturnType<typeof openDb>["db"];

function openPool(connectionString: string): Pool {
  const pool = new Pool({ connectionString, max: 4, connectionTimeoutMillis: 10_000 });
  // A pool error after the response (the server closed an idle socket) must not surface as an
  // unhandled error of a finished request; queries still reject on their own.
  pool.on("error", () => {});
  // Nor may a checked-out client's (the connection dropped mid-transaction): the pool listens only
  // to idle clients, and an `error` event nobody hears is an uncaught exception.
  pool.on("connect", (client: PoolClient) => client.on("error", () => {}));
  return pool;
}

/**
 * Opens the database for one request or alarm. The caller closes it when done, in
 * `ctx.waitUntil(close())` — a Pool must not outlive its request in Workers.
 */
export function openDb(env: DbEnv) {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
  if (env.DB_WS_PROXY) useLocalProxy(env.DB_WS_PROXY);
  const primaryPool = openPool(env.DATABASE_URL);
  const replicaPool = env.DATABASE_URL_READ ? openPool(env.DATABASE_URL_READ) : undefined;
  const primary = drizzle({ client: primaryPool, schema });
  const replica = replicaPool ? drizzle({ client: replicaPool, schema }) : primary;
  // Selects go to the replica (when there is one); writes and `db.$primary` to the primary.
  const db = withReplicas(primary, [replica]);
  const close = async () => {
    await Promise.all([primaryPool.end(), replicaPool?.end()]);
  };
  return { db, close };
}
