import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pool } from "@neondatabase/serverless";
import type { CallEntry } from "../emulator/call-entry";
import { type LocalDatabase, startLocalDatabase } from "../scripts/database";
import { type DevSecrets, devSecrets } from "../scripts/dev-secrets";
import { type RunningEmulator, seedEmulator, startEmulator } from "../scripts/emulator";
import { migrateDatabase } from "../scripts/migrate";
import { openNodePool } from "../scripts/node-pool";
import { freePort } from "../scripts/ports";
import { type GroupProcess, spawnGroup } from "../scripts/process-group";
import { createSiblingDatabase, dropSiblingDatabase } from "../test/setup/sibling-database";

/**
 * The local stack of `scripts/stack.ts`, put together from the same parts, for the soak and the
 * scheduler benchmark. They need what `startStack` does not offer: extra Worker vars (quota
 * projects, rate limits), the Worker alone killed and restarted on the same state, the workerd
 * process's pid (its memory), a database of their own on a shared server, and a small proxy in front
 * of the emulator's Data API that makes a share of calls time out (the emulator's `timeout` fault
 * delays every call of a method; the soak needs 2 % of calls at random).
 */

const WRANGLER = resolve("node_modules/wrangler/bin/wrangler.js");
const VITE = resolve("node_modules/vite/bin/vite.js");

/** A second quota project's emulator-only credentials (the Worker gets them as vars). */
export const SECOND_PROJECT = {
  id: "local-2",
  clientId: "local-client-2",
  clientSecret: "emulator-only-client-secret-local-2",
  apiKey: "emulator-only-api-key-local-2",
  clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_2",
  apiKeyRef: "YOUTUBE_API_KEY_LOCAL_2",
};

export interface BenchStackOptions {
  dataDir: string;
  /** A real PostgreSQL server: the bench makes a database of its own on it (dropped by `stop`). */
  databaseUrl?: string;
  /** The daily limit of `local-1` in the ledger and the emulator. */
  dailyLimit: number;
  /** Put the time-out proxy in front of the emulator's Data API (its rate is set with `setTimeoutRate`). */
  faultProxy?: boolean;
  /** More Worker vars. */
  vars?: Record<string, string>;
  log?: (line: string) => void;
}

/** What the Worker saw of one Data API attempt through the fault proxy. */
export interface ProxyAttempt {
  at: number;
  method: string;
  key: string;
  /** HTTP status, or 0 for an attempt the proxy let time out. */
  status: number;
  /** For a time-out: whether the emulator got (and applied) the call. */
  forwarded?: boolean;
}

export interface BenchStack {
  url: string;
  emulatorUrl: string;
  database: { databaseUrl: string; wsProxy: string; kind: string };
  secrets: DevSecrets;
  /** Attempts seen by the fault proxy (empty without one). */
  attempts: ProxyAttempt[];
  /** Share of Data API calls (`/youtube/v3/*`) the proxy leaves unanswered from now on. */
  setTimeoutRate(rate: number): void;
  pool(): Pool;
  /** Kills the Worker's `wrangler dev` (SIGKILL to its group: a crash, not a shutdown) and starts it again. */
  restartWorker(): Promise<{ downMs: number }>;
  /** The pid of the Worker's workerd process (for its RSS). */
  workerdPid(): number | null;
  /** Stops everything; the bench's own database is dropped unless `keepDatabase` (evidence of a loss). */
  stop(keepDatabase?: boolean): Promise<void>;
  /** The bench's own database, when it made one on DATABASE_URL's server. */
  databaseName?: string;
}

/** Emulator admin call. */
export async function emulatorAdmin<T = unknown>(
  emulatorUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${emulatorUrl}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function waitUntilReady(url: string, timeoutMs: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error("wrangler dev exited while starting");
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${url} was not ready after ${timeoutMs / 1000} s`);
}

/** The Data API method of a request path, as the emulator's call log names it. */
function methodOf(req: IncomingMessage): string {
  const path = (req.url ?? "").split("?")[0] ?? "";
  const resource = path.replace(/^\/youtube\/v3\//, "");
  if (resource === "videos") return req.method === "PUT" ? "videos.update" : "videos.list";
  return `${resource}.list`;
}

/**
 * A pass-through proxy to the emulator that leaves `timeoutRate` of the Data API calls unanswered
 * (half before the emulator sees them, half after it has applied them: the client cannot tell).
 */
function startFaultProxy(
  upstream: string,
  timeoutRate: () => number,
  attempts: ProxyAttempt[],
): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const api = (req.url ?? "").startsWith("/youtube/v3/");
        const method = api ? methodOf(req) : "other";
        let key = req.url ?? "";
        if (method === "videos.update" && body) {
          try {
            key = `videos.update:${(JSON.parse(body.toString()) as { id?: string }).id}`;
          } catch {
            // keep the url
          }
        }
        const at = Date.now();
        const timeout = api && Math.random() < timeoutRate();
        const forward = !timeout || Math.random() < 0.5;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === "string" && !["host", "connection", "content-length"].includes(name))
            headers[name] = value;
        }
        let upstreamRes: Response | undefined;
        if (forward) {
          try {
            upstreamRes = await fetch(`${upstream}${req.url}`, { method: req.method, headers, body });
          } catch {
            upstreamRes = undefined;
          }
        }
        if (timeout) {
          await upstreamRes?.arrayBuffer().catch(() => undefined);
          if (api) attempts.push({ at, method, key, status: 0, forwarded: forward });
          // Never answer: the client's own timeout ends the call. Closed after a minute in any case.
          const timer = setTimeout(() => res.destroy(), 60_000);
          res.on("close", () => clearTimeout(timer));
          return;
        }
        if (!upstreamRes) {
          if (api) attempts.push({ at, method, key, status: 0, forwarded: false });
          res.destroy();
          return;
        }
        const out = Buffer.from(await upstreamRes.arrayBuffer());
        if (api) attempts.push({ at, method, key, status: upstreamRes.status });
        const outHeaders: Record<string, string> = {};
        upstreamRes.headers.forEach((value, name) => {
          if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name))
            outHeaders[name] = value;
        });
        res.writeHead(upstreamRes.status, outHeaders);
        res.end(out);
      })();
    });
  });
  return new Promise((resolvePromise) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolvePromise({ url: `http://127.0.0.1:${port}`, server });
    });
  });
}

/** The whole product on free ports, with the knobs the soak and the scheduler benchmark need. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<void>> = [];
  let keepDb = false;
  let databaseName: string | undefined;
  const stop = async (keepDatabase = false) => {
    keepDb = keepDatabase;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  await mkdir(options.dataDir, { recursive: true });
  try {
    if (!existsSync("frontend/dist/index.html")) {
      log("› building the SPA");
      const build = spawnGroup(
        process.execPath,
        [VITE, "build", "--config", "frontend/vite.config.ts", "--logLevel", "warn"],
        { stdio: "ignore", env },
      );
      if ((await build.exited) !== 0) throw new Error("building the SPA failed");
    }

    let database: LocalDatabase;
    if (options.databaseUrl) {
      const base = options.databaseUrl;
      const suffix = `bench_${process.pid}_${Date.now().toString(36)}`;
      const url = await createSiblingDatabase(base, suffix);
      databaseName = new URL(url).pathname.slice(1);
      cleanups.push(() => (keepDb ? Promise.resolve() : dropSiblingDatabase(base, suffix).catch(() => {})));
      log(`› Postgres: database ${databaseName} on the server of DATABASE_URL`);
      database = await startLocalDatabase({ databaseUrl: url });
    } else {
      log(`› Postgres: embedded (${options.dataDir}/pglite)`);
      database = await startLocalDatabase({ dataDir: `${options.dataDir}/pglite` });
    }
    cleanups.push(() => database.close());
    await migrateDatabase(database);

    const emulatorPort = await freePort();
    const emulator: RunningEmulator = await startEmulator({
      port: emulatorPort,
      persistTo: `${options.dataDir}/emulator`,
    });
    cleanups.push(() => emulator.stop());
    const seed = await seedEmulator(emulator.url);
    // Quota for the whole run on local-1; the second project is registered by the soak when it wants it.
    await emulatorAdmin(emulator.url, "POST", "/projects", {
      id: seed.project.id,
      clientId: seed.project.clientId,
      clientSecret: seed.project.clientSecret,
      apiKey: seed.project.apiKey,
      dailyLimit: options.dailyLimit,
    });

    const attempts: ProxyAttempt[] = [];
    let timeoutRate = 0;
    let apisUrl = emulator.url;
    if (options.faultProxy) {
      const proxy = await startFaultProxy(emulator.url, () => timeoutRate, attempts);
      cleanups.push(
        () =>
          new Promise<void>((r) => {
            proxy.server.closeAllConnections();
            proxy.server.close(() => r());
          }),
      );
      apisUrl = proxy.url;
    }

    const secrets = await devSecrets(`${options.dataDir}/dev-secrets.json`);
    const appPort = await freePort();
    const vars: Record<string, string> = {
      DATABASE_URL: database.databaseUrl,
      DB_WS_PROXY: database.wsProxy,
      GOOGLE_ACCOUNTS_URL: emulator.url,
      GOOGLE_OAUTH2_URL: emulator.url,
      GOOGLE_APIS_URL: apisUrl,
      YOUTUBE_ANALYTICS_URL: emulator.url,
      QUOTA_PROJECTS: JSON.stringify([
        {
          id: seed.project.id,
          clientId: seed.project.clientId,
          clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
          apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
          dailyLimit: options.dailyLimit,
        },
      ]),
      QUOTA_POLICY: JSON.stringify({
        userCaps: { free: 1_000_000_000, pro: 1_000_000_000, authority: 1_000_000_000 },
      }),
      // Every request of the bench comes from 127.0.0.1.
      RATE_LIMIT_PER_IP: "1000000",
      RATE_LIMIT_PER_USER: "1000000",
      [SECOND_PROJECT.clientSecretRef]: SECOND_PROJECT.clientSecret,
      [SECOND_PROJECT.apiKeyRef]: SECOND_PROJECT.apiKey,
      ...secrets,
      ...options.vars,
    };
    const args = [
      ...[WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(appPort), "--inspector-port", "0"],
      ...["--persist-to", `${options.dataDir}/wrangler`, "--test-scheduled"],
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ];
    const url = `http://127.0.0.1:${appPort}`;
    let worker: GroupProcess | undefined;
    const startWorker = async () => {
      const out = openSync(`${options.dataDir}/worker.log`, "a");
      worker = spawnGroup(process.execPath, args, { stdio: ["ignore", out, out], env });
      closeSync(out);
      await waitUntilReady(`${url}/api/ready`, 180_000, worker.exited);
    };
    cleanups.push(async () => worker?.stop());
    await startWorker();

    let pool: Pool | undefined;
    cleanups.push(async () => pool?.end());
    return {
      url,
      emulatorUrl: emulator.url,
      database: { databaseUrl: database.databaseUrl, wsProxy: database.wsProxy, kind: database.kind },
      secrets,
      attempts,
      setTimeoutRate: (rate) => {
        timeoutRate = rate;
      },
      pool: () => {
        pool ??= openNodePool(database);
        return pool;
      },
      restartWorker: async () => {
        const pid = worker?.child.pid;
        const started = Date.now();
        if (pid) {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            // gone already
          }
          await worker?.exited;
        }
        await startWorker();
        return { downMs: Date.now() - started };
      },
      workerdPid: () => (worker?.child.pid ? findWorkerd(worker.child.pid) : null),
      stop,
      databaseName,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The workerd process that runs the Worker and its Durable Objects, in the process group `pgid`
 * (wrangler dev's). wrangler dev starts two: its own proxy in front, and the Worker's runtime —
 * the one with an inspector.
 */
function findWorkerd(pgid: number): number | null {
  let any: number | null = null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      if (Number(fields[2]) !== pgid || !comm.startsWith("workerd")) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("--inspector-addr")) return Number(entry);
      any ??= Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return any;
}

/** Resident memory of a process, in MiB (null when it is gone). */
export function rssMiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

// ---- creators, sign-in, tests -------------------------------------------------------------------

/** Every Set-Cookie of a response as `name=value` pairs. */
function cookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0] as string);
}

/** A creator signed in through the app's OAuth routes (as `scripts/demo.ts` does). */
export interface Creator {
  email: string;
  channelId: string;
  userId: string;
  cookie: string;
  /** The quota-project hint cookie the app set at sign-in (a returning browser sends it). */
  projectHint?: string;
  project?: string;
}

/** Signs `email` in through the app; answers the session cookie and the project hint. */
export async function signIn(
  appUrl: string,
  email: string,
  projectHint?: string,
): Promise<{ cookie: string; projectHint?: string }> {
  const start = await fetch(`${appUrl}/api/auth/google/start?login_hint=${encodeURIComponent(email)}`, {
    redirect: "manual",
    headers: projectHint ? { cookie: projectHint } : {},
  });
  const consent = await fetch(start.headers.get("location") as string, { redirect: "manual" });
  const callback = await fetch(consent.headers.get("location") as string, {
    headers: { cookie: [...cookies(start), ...(projectHint ? [projectHint] : [])].join("; ") },
    redirect: "manual",
  });
  const set = cookies(callback);
  const session = set.find((c) => c.startsWith("__Host-ttp_session="));
  if (!session) throw new Error(`sign-in of ${email} failed (${callback.status} ${await callback.text()})`);
  return {
    cookie: session,
    projectHint: set.find((c) => c.startsWith("__Host-ttp_project=")) ?? projectHint,
  };
}

/** Creates a Google account and channel in the emulator, signs it in, and puts it on the authority plan. */
export async function makeCreator(stack: BenchStack, email: string): Promise<Creator> {
  await emulatorAdmin(stack.emulatorUrl, "POST", "/accounts", { email, name: email.split("@")[0] });
  const channel = await emulatorAdmin<{ id: string }>(stack.emulatorUrl, "POST", "/channels", {
    account: email,
    title: `Channel of ${email}`,
  });
  const first = await signIn(stack.url, email);
  const me = await fetch(`${stack.url}/api/me`, { headers: { cookie: first.cookie } });
  const meBody = (await me.json()) as { id?: string; user?: { id: string } };
  const userId = meBody.id ?? meBody.user?.id;
  if (!userId) throw new Error(`GET /api/me for ${email}: ${JSON.stringify(meBody)}`);
  const plan = await fetch(`${stack.url}/api/admin/users/${userId}/plan`, {
    method: "PUT",
    headers: { authorization: `Bearer ${stack.secrets.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ plan: "authority" }),
  });
  if (!plan.ok) throw new Error(`setting the plan of ${email}: ${plan.status} ${await plan.text()}`);
  // A plan change ends the creator's sessions (their rights changed): sign in again on the new plan.
  const { cookie, projectHint } = await signIn(stack.url, email, first.projectHint);
  return { email, channelId: channel.id, userId, cookie, projectHint };
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function inParallel<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await work(items[i] as T, i);
      }
    }),
  );
  return out;
}

/** A call of the emulator's log. */
export type LoggedCall = CallEntry;

/** Every logged call after `since`. */
export async function callsSince(emulatorUrl: string, since = 0): Promise<LoggedCall[]> {
  const out: LoggedCall[] = [];
  for (;;) {
    const { calls } = await emulatorAdmin<{ calls: LoggedCall[] }>(
      emulatorUrl,
      "GET",
      `/calls?since=${since}&limit=10000`,
    );
    out.push(...calls);
    if (calls.length < 10000) return out;
    since = calls.at(-1)?.id ?? since;
  }
}
