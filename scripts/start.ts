import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalDatabase } from "./database";
import { devSecrets } from "./dev-secrets";
import { migrateDatabase } from "./migrate";

/**
 * `npm start`: the whole product on this machine, on embedded defaults — the SPA built, Postgres
 * (PGlite under .data/ unless DATABASE_URL names a server) migrated behind its WebSocket proxy,
 * and the Worker with its Durable Objects, KV, Queue, cron and assets under `wrangler dev`.
 * Ctrl-C stops everything.
 */
const APP_PORT = Number(process.env.PORT ?? 8787);
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

function run(command: string, args: string[], options: { wait: boolean }): ChildProcess {
  const child = spawn(command, args, {
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (!options.wait) children.push(child);
  return child;
}

async function runToEnd(command: string, args: string[]): Promise<void> {
  const child = run(command, args, { wait: true });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`);
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
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
    for (const child of children) child.kill("SIGTERM");
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  console.log("› building the SPA");
  await runToEnd("npx", ["vite", "build", "--config", "frontend/vite.config.ts", "--logLevel", "warn"]);

  const databaseUrl = process.env.DATABASE_URL || undefined;
  console.log(
    databaseUrl
      ? "› using the Postgres of DATABASE_URL"
      : "› starting the embedded Postgres (PGlite, .data/pglite)",
  );
  const database = await startLocalDatabase({
    databaseUrl,
    dataDir: databaseUrl ? undefined : ".data/pglite",
  });
  cleanups.push(() => database.close());
  await migrateDatabase(database);

  const secrets = await devSecrets();
  console.log("› starting the Worker (wrangler dev)");
  const vars = { DATABASE_URL: database.databaseUrl, DB_WS_PROXY: database.wsProxy, ...secrets };
  const wrangler = run(
    "npx",
    [
      ...["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(APP_PORT)],
      ...["--persist-to", ".data/wrangler", "--test-scheduled", "--show-interactive-dev-session=false"],
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { wait: false },
  );
  wrangler.on("exit", (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code})`);
      void stop(1);
    }
  });

  const url = `http://127.0.0.1:${APP_PORT}`;
  await waitUntilReady(`${url}/api/ready`, 120_000);
  console.log(
    `\n  TitleTesterPro is running at ${url}\n  (cron: ${url}/__scheduled?cron=0+*+*+*+*)  Ctrl-C stops it.\n`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await stop(1);
}
