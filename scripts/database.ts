import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { createSqlOverHttp, type SqlOverHttp } from "./db-http";
import { BackendLock, type DbProxyOptions, startDbProxy } from "./db-proxy";
import { PgliteWire } from "./pglite-wire";
import { freePort } from "./ports";

/** Where the app's Postgres is, as the Worker sees it. */
export interface LocalDatabase {
  /** The connection string the Worker uses (user, password and database name). */
  databaseUrl: string;
  /** `host:port` of the WebSocket proxy: the Worker's `DB_WS_PROXY`. */
  wsProxy: string;
  /** Neon's SQL-over-HTTP endpoint on the same port (`http://<wsProxy>/sql`), for `neon()`. */
  sqlEndpoint: string;
  kind: "postgres" | "embedded";
  close(): Promise<void>;
}

/** The connection string of the embedded database (PGlite accepts any user and one database). */
export const EMBEDDED_DATABASE_URL = "postgres://postgres@localhost:5432/postgres";

/**
 * Warm connections of the HTTP path to a real PostgreSQL: a few backends serve many requests (each
 * holds one for a statement or a batch), well inside the server's `max_connections`.
 */
const POSTGRES_POOL_SIZE = 10;
/** PGlite runs one session at a time, and each request holds the backend lock: one connection. */
const EMBEDDED_POOL_SIZE = 1;

/** Starts the proxy with the HTTP side on its port; closing ends the HTTP pools first. */
async function startProxy(sql: SqlOverHttp, options: Omit<DbProxyOptions, "http">) {
  const proxy = await startDbProxy({ ...options, http: sql.handle });
  return {
    close: async () => {
      await sql.close();
      await proxy.close();
    },
  };
}

/**
 * Starts what the Worker needs to reach Postgres locally: the real server named by `databaseUrl`,
 * or else an embedded PGlite (kept in `dataDir`, or in memory), behind the WebSocket proxy, which
 * also serves Neon's SQL-over-HTTP (`POST /sql`) from warm connections.
 */
export async function startLocalDatabase(options: {
  databaseUrl?: string;
  dataDir?: string;
  proxyPort?: number;
}): Promise<LocalDatabase> {
  const proxyPort = options.proxyPort ?? (await freePort());
  const wsProxy = `127.0.0.1:${proxyPort}`;
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const upstream = { host: url.hostname, port: Number(url.port || 5432) };
    const sql = createSqlOverHttp({ upstream, poolSize: POSTGRES_POOL_SIZE });
    const proxy = await startProxy(sql, { port: proxyPort, upstream });
    return {
      databaseUrl: options.databaseUrl,
      wsProxy,
      sqlEndpoint: `http://${wsProxy}/sql`,
      kind: "postgres",
      close: proxy.close,
    };
  }

  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const pglitePort = await freePort();
  const server = new PGLiteSocketServer({
    db,
    port: pglitePort,
    host: "127.0.0.1",
    // Every WebSocket of the proxy is one TCP connection here (a request may hold up to 4); the
    // proxy serialises their queries. At 64, load runs of 50 clients were refused (500s).
    maxConnections: 1024,
  });
  await server.start();
  const upstream = { host: "127.0.0.1", port: pglitePort };
  const lock = new BackendLock();
  // The HTTP side talks to PGlite in-process; the WebSocket path goes through its socket server.
  const sql = createSqlOverHttp({
    upstream,
    poolSize: EMBEDDED_POOL_SIZE,
    lock,
    stream: () => new PgliteWire(db),
  });
  const proxy = await startProxy(sql, { port: proxyPort, upstream, lock });
  return {
    databaseUrl: EMBEDDED_DATABASE_URL,
    wsProxy,
    sqlEndpoint: `http://${wsProxy}/sql`,
    kind: "embedded",
    close: async () => {
      await proxy.close();
      await server.stop();
      await db.close();
    },
  };
}
