import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalDatabase } from "./database";
import { devSecrets } from "./dev-secrets";
import { seedEmulator, startEmulator } from "./emulator";
import { migrateDatabase } from "./migrate";
import { spawnGroup } from "./process-group";

/**
 * `npm start`: the whole product on this machine, on embedded defaults — the SPA built, Postgres
 * (PGlite under .data/ unless DATABASE_URL names a server) migrated behind its WebSocket proxy,
 * the Google emulator seeded with a demo creator, and the Worker with its Durable Objects, KV,
 * Queue, cron and assets under `wrangler dev`. Ctrl-C stops everything.
 */
const APP_PORT = Number(process.env.PORT ?? 8787);
const EMULATOR_PORT = 8788;
const WRANGLER = resolve("node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const cleanups: Array<() => Promise<void>> = [];

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

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  console.log("› building the SPA");
  const build = spawnGroup(
    process.execPath,
    [
      resolve("node_modules/vite/bin/vite.js"),
      "build",
      "--config",
      "frontend/vite.config.ts",
      "--logLevel",
      "warn",
    ],
    { stdio: "inherit", env },
  );
  if ((await build.exited) !== 0) throw new Error("building the SPA failed");

  const databaseUrl = process.env.DATABASE_URL || undefined;
  console.log(
    databaseUrl ? "› using the Postgres of DATABASE_URL" : "› starting the embedded Postgres (.data/pglite)",
  );
  const database = await startLocalDatabase({
    databaseUrl,
    dataDir: databaseUrl ? undefined : ".data/pglite",
  });
  cleanups.push(() => database.close());
  await migrateDatabase(database);

  console.log(`› starting the Google/YouTube emulator on 127.0.0.1:${EMULATOR_PORT}`);
  const emulator = await startEmulator({ port: EMULATOR_PORT, persistTo: ".data/emulator" });
  cleanups.push(() => emulator.stop());
  await seedEmulator(emulator.url);

  console.log("› starting the Worker (wrangler dev)");
  const vars = {
    DATABASE_URL: database.databaseUrl,
    DB_WS_PROXY: database.wsProxy,
    GOOGLE_ACCOUNTS_URL: emulator.url,
    GOOGLE_OAUTH2_URL: emulator.url,
    GOOGLE_APIS_URL: emulator.url,
    YOUTUBE_ANALYTICS_URL: emulator.url,
    ...(await devSecrets()),
  };
  const wrangler = spawnGroup(
    process.execPath,
    [
      ...[WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(APP_PORT), "--inspector-port", "0"],
      ...["--persist-to", ".data/wrangler", "--test-scheduled", "--show-interactive-dev-session=false"],
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { stdio: "inherit", env },
  );
  cleanups.push(() => wrangler.stop());
  void wrangler.exited.then((code) => {
    if (stopping) return;
    console.error(`wrangler dev exited (${code})`);
    void stop(1);
  });

  const url = `http://127.0.0.1:${APP_PORT}`;
  await waitUntilReady(`${url}/api/ready`, 120_000);
  console.log(
    [
      "",
      `  TitleTesterPro is running at ${url}`,
      `  Sign in as the demo creator: ${url}/api/auth/google/start (the emulator's consent page lists demo accounts)`,
      `  Google emulator: ${emulator.url} (admin API under /__emulator/)`,
      `  Cron by hand: ${url}/__scheduled?cron=0+*+*+*+*`,
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await stop(1);
}
