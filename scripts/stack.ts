import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalDatabase } from "./database";
import { devSecrets } from "./dev-secrets";
import { configureStripeWebhook, type EmulatorSeed, seedEmulator, startEmulator } from "./emulator";
import { migrateDatabase } from "./migrate";
import { spawnGroup } from "./process-group";

/** A running local stack. */
export interface LocalStack {
  url: string;
  emulatorUrl: string;
  /** Where the Worker's Postgres is (for scripts that seed it). */
  database: { databaseUrl: string; wsProxy: string };
  /** What the emulator was seeded with: the demo creator, their videos and the project. */
  seed: EmulatorSeed;
  /** Settles when the Worker's process (scripts/worker-dev.ts) exits, by itself or by `stop()`. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Where the stack keeps its state and which ports it takes. */
export interface StackOptions {
  appPort: number;
  emulatorPort: number;
  /** Folder for PGlite, the emulator's and wrangler's state, and the dev secrets. */
  dataDir: string;
  /** A real PostgreSQL instead of the embedded one. */
  databaseUrl?: string;
  /** Print the SPA build's and wrangler's output (npm start does; the browser tests do not). */
  verbose?: boolean;
  /**
   * Whether DevTools can attach to the Worker (default yes). The load bench turns it off: wrangler's
   * DevTools bridge costs its Node process work for every subrequest (scripts/worker-dev.ts).
   */
  inspector?: boolean;
}

const TSX = resolve("node_modules/tsx/dist/cli.mjs");
const WORKER_DEV = resolve("scripts/worker-dev.ts");
const VITE = resolve("node_modules/vite/bin/vite.js");

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`${url} was not ready after ${timeoutMs / 1000} s`);
}

/**
 * The whole product on this machine: the SPA built, Postgres (embedded PGlite unless
 * `databaseUrl`) migrated behind its WebSocket proxy, the Google emulator seeded with a demo
 * creator, and the Worker with its Durable Objects, KV, Queue, cron and assets under
 * wrangler's local runtime (as `wrangler dev`). `stop()` ends every process it started (each in its
 * own process group).
 */
export async function startStack(options: StackOptions): Promise<LocalStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  const stdio = options.verbose ? "inherit" : "ignore";
  const log = (line: string) => options.verbose && console.log(line);
  try {
    log("› building the SPA");
    const build = spawnGroup(
      process.execPath,
      [VITE, "build", "--config", "frontend/vite.config.ts", "--logLevel", "warn"],
      {
        stdio,
        env,
      },
    );
    if ((await build.exited) !== 0) throw new Error("building the SPA failed");

    log(
      options.databaseUrl
        ? "› using the Postgres of DATABASE_URL"
        : `› starting the embedded Postgres (${options.dataDir}/pglite)`,
    );
    const database = await startLocalDatabase({
      databaseUrl: options.databaseUrl,
      dataDir: options.databaseUrl ? undefined : `${options.dataDir}/pglite`,
    });
    cleanups.push(() => database.close());
    await migrateDatabase(database);

    log(`› starting the Google/YouTube emulator on 127.0.0.1:${options.emulatorPort}`);
    const emulator = await startEmulator({
      port: options.emulatorPort,
      persistTo: `${options.dataDir}/emulator`,
    });
    cleanups.push(() => emulator.stop());
    const seed = await seedEmulator(emulator.url);

    log("› starting the Worker (wrangler's local runtime)");
    const vars = {
      DATABASE_URL: database.databaseUrl,
      DB_WS_PROXY: database.wsProxy,
      GOOGLE_ACCOUNTS_URL: emulator.url,
      GOOGLE_OAUTH2_URL: emulator.url,
      GOOGLE_APIS_URL: emulator.url,
      YOUTUBE_ANALYTICS_URL: emulator.url,
      GOOGLE_REPORTING_URL: emulator.url,
      MAIL_API_URL: emulator.url,
      STRIPE_API_URL: emulator.url,
      // The demo creator administers the local stack (the admin page shows the QuotaLedger).
      ADMIN_EMAILS: seed.account.email,
      ...(await devSecrets(`${options.dataDir}/dev-secrets.json`)),
    };
    const settings = `${options.dataDir}/worker-dev.json`;
    await writeFile(
      settings,
      JSON.stringify({
        port: options.appPort,
        persistTo: `${options.dataDir}/wrangler`,
        inspector: options.inspector ?? true,
        vars,
      }),
      { mode: 0o600 },
    );
    const wrangler = spawnGroup(process.execPath, [TSX, WORKER_DEV, settings], { stdio, env });
    cleanups.push(() => wrangler.stop());
    const url = `http://127.0.0.1:${options.appPort}`;
    await configureStripeWebhook(emulator.url, `${url}/api/billing/webhook`);
    await Promise.race([
      waitUntilReady(`${url}/api/ready`, 120_000),
      wrangler.exited.then((code) => {
        throw new Error(`the Worker's wrangler exited (${code})`);
      }),
    ]);
    return {
      url,
      emulatorUrl: emulator.url,
      database: { databaseUrl: database.databaseUrl, wsProxy: database.wsProxy },
      seed,
      exited: wrangler.exited,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
