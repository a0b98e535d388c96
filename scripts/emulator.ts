import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnGroup } from "./process-group";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A running emulator. */
export interface RunningEmulator {
  /** Its origin, e.g. http://127.0.0.1:8788 — every Google base URL points here locally. */
  url: string;
  stop(): Promise<void>;
}

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default 8788: the browser must reach the consent page). */
  port?: number;
  /** Directory for the Durable Object's state; `npm start` uses `.data/emulator`. Temporary when absent. */
  persistTo?: string;
  /** Print wrangler's output (default: only on failure). */
  verbose?: boolean;
  /** How long to wait for it to answer (ms). */
  startTimeoutMs?: number;
}

/**
 * Starts the Google emulator as its own `wrangler dev` (its own port, so a browser can reach it)
 * and resolves once `/__emulator/health` answers.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 8788;
  const url = `http://127.0.0.1:${port}`;
  const args = [
    resolve(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "-c",
    resolve(root, "emulator/wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    "0",
    "--show-interactive-dev-session=false",
    "--log-level",
    options.verbose ? "log" : "warn",
  ];
  // Without persistTo, a fresh temporary state (removed on stop): tests never see old data.
  const temporary = options.persistTo ? undefined : mkdtempSync(resolve(tmpdir(), "ttp-emulator-"));
  const persistTo = options.persistTo ? resolve(options.persistTo) : (temporary as string);
  mkdirSync(persistTo, { recursive: true });
  args.push("--persist-to", persistTo);
  const service = spawnGroup(process.execPath, args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child = service.child;
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`emulator exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/__emulator/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`emulator did not answer on ${url} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    stop: async () => {
      await service.stop();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}

/** What `seedEmulator` created: the demo creator and the default project (see emulator/seed.ts). */
export interface EmulatorSeed {
  project: { id: string; clientId: string; clientSecret: string; apiKey: string; dailyLimit: number };
  account: { sub: string; email: string; name: string };
  channel: { id: string; title: string };
  videos: { id: string; title: string; viewsPerDay: number }[];
}

/** Seeds the demo creator (a channel of 12 videos) and project `local-1`; running it again changes nothing. */
export async function seedEmulator(url: string): Promise<EmulatorSeed> {
  const res = await fetch(`${url}/__emulator/seed`, { method: "POST" });
  if (!res.ok) throw new Error(`seeding the emulator failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as EmulatorSeed;
}

/** Tells the emulator's Stripe stand-in where the app's webhook is (docs/BILLING.md). */
export async function configureStripeWebhook(emulatorUrl: string, webhookUrl: string): Promise<void> {
  const res = await fetch(`${emulatorUrl}/__emulator/stripe/webhook`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: webhookUrl }),
  });
  if (!res.ok) throw new Error(`configuring the Stripe webhook failed: ${res.status} ${await res.text()}`);
}

// `tsx scripts/emulator.ts [port]` runs it alone, with state under .data/emulator, seeded.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8788);
  const emulator = await startEmulator({ port, persistTo: resolve(root, ".data/emulator"), verbose: true });
  await seedEmulator(emulator.url);
  console.log(`Google emulator on ${emulator.url} (seeded; state in .data/emulator)`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
