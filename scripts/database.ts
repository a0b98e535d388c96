import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { startDbProxy } from "./db-proxy";
import { freePort } from "./ports";

/** Where the app's Postgres is, as the Worker sees it. */
export interface LocalDatabase {
  /** The connection string the Worker uses (user, password and database name). */
  databaseUrl: string;
  /** `host:port` of the WebSocket proxy: the Worker's `DB_WS_PROXY`. */
  wsProxy: string;
  kind: "postgres" | "embedded";
  close(): Promise<void>;
}

/** The connection string of the embedded database (PGlite accepts any user and one database). */
export const EMBEDDED_DATABASE_URL = "postgres://postgres@localhost:5432/postgres";

/**
 * Starts what the Worker needs to reach Postgres locally: the real server named by `databaseUrl`,
 * or else an embedded PGlite (kept in `dataDir`, or in memory), behind the WebSocket proxy.
 */
export async function startLocalDatabase(options: {
  databaseUrl?: string;
  dataDir?: string;
  proxyPort?: number;
}): Promise<LocalDatabase> {
  const proxyPort = options.proxyPort ?? (await freePort());
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const proxy = await startDbProxy({
      port: proxyPort,
      upstream: { host: url.hostname, port: Number(url.port || 5432) },
      serialize: false,
    });
    return {
      databaseUrl: options.databaseUrl,
      wsProxy: `127.0.0.1:${proxy.port}`,
      kind: "postgres",
      close: () => proxy.close(),
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
  const proxy = await startDbProxy({
    port: proxyPort,
    upstream: { host: "127.0.0.1", port: pglitePort },
    serialize: true,
  });
  return {
    databaseUrl: EMBEDDED_DATABASE_URL,
    wsProxy: `127.0.0.1:${proxy.port}`,
    kind: "embedded",
    close: async () => {
      await proxy.close();
      await server.stop();
      await db.close();
    },
  };
}
