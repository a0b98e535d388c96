/**
 * Throughput of the YouTube client against the local Google emulator on this machine: operations
 * and Google calls per second, sequential and concurrent, for the calls the product makes (public
 * statistics polls, 50-id batches, dashboard reads from cache, title updates, reads under injected
 * 5xx faults). Figures only, never assertions: this machine is shared and noisy.
 *
 * The client runs in Node here (same code as in the Worker); the gate is an in-process stand-in
 * for the QuotaLedger, so the figures measure the client and the emulator, not ledger RPC
 * (bench:ledger measures that). Run with `npm run bench:youtube`.
 */

import { startEmulator } from "../scripts/emulator";
import { freePort } from "../scripts/ports";
import type {
  QuotaDenial,
  QuotaGate,
  QuotaGrant,
  QuotaRequest,
  QuotaSettlement,
} from "../worker/quota/types";
import type { CacheStore } from "../worker/youtube/cache-store";
import { YouTubeClient, type YouTubeUser } from "../worker/youtube/client";
import { googleEndpoints } from "../worker/youtube/endpoints";
import { authorizationUrl, createPkce, exchangeCode } from "../worker/youtube/oauth";

/** A Map with expiry, shaped like the KV namespace the client caches in. */
class MemoryStore implements CacheStore {
  private readonly map = new Map<string, { value: string; expires: number }>();
  async get(key: string): Promise<unknown> {
    const hit = this.map.get(key);
    if (!hit || hit.expires < Date.now()) return null;
    return JSON.parse(hit.value);
  }
  async put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> {
    this.map.set(key, { value, expires: Date.now() + (options?.expirationTtl ?? 3600) * 1000 });
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/** Grants everything at once; counts units. */
class CountingGate implements QuotaGate {
  units = 0;
  constructor(
    private readonly project: string,
    private readonly apiKey: string,
  ) {}
  async reserve(_request: QuotaRequest): Promise<QuotaGrant | QuotaDenial> {
    return {
      granted: true,
      grantId: crypto.randomUUID(),
      project: this.project,
      apiKey: this.apiKey,
      expiresAt: Date.now() + 60_000,
    };
  }
  async settle(_grantId: string, settlement: QuotaSettlement): Promise<void> {
    this.units += settlement.units;
  }
}

async function adminCall<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Id of the newest call-log entry seen, so each scenario counts only its own Google calls. */
let mark = 0;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface Row {
  scenario: string;
  concurrency: number;
  ops: number;
  opsPerSec: number;
  googleCallsPerSec: number;
  p50ms: number;
  p95ms: number;
  errors: number;
}

async function run(
  base: string,
  project: string,
  scenario: string,
  concurrency: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<Row> {
  const lastId = async () => {
    const calls = (
      await adminCall<{ calls: { id: number }[] }>(
        base,
        "GET",
        `/calls?project=${project}&since=${mark}&limit=10000`,
      )
    ).calls;
    mark = calls[calls.length - 1]?.id ?? mark;
    return calls.length;
  };
  await lastId();
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        try {
          await op(i);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const googleCalls = await lastId();
  latencies.sort((a, b) => a - b);
  return {
    scenario,
    concurrency,
    ops: total,
    opsPerSec: Math.round(total / seconds),
    googleCallsPerSec: Math.round(googleCalls / seconds),
    p50ms: Number(percentile(latencies, 50).toFixed(1)),
    p95ms: Number(percentile(latencies, 95).toFixed(1)),
    errors,
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: await freePort() });
  try {
    const base = emulator.url;
    const endpoints = googleEndpoints({
      GOOGLE_ACCOUNTS_URL: base,
      GOOGLE_OAUTH2_URL: base,
      GOOGLE_APIS_URL: base,
      YOUTUBE_ANALYTICS_URL: base,
    });
    const project = {
      id: "bench",
      clientId: "bench.apps.googleusercontent.com",
      clientSecret: "bench-secret",
      apiKey: "bench-key",
    };
    await adminCall(base, "POST", "/projects", { ...project, dailyLimit: 1_000_000_000 });
    await adminCall(base, "POST", "/accounts", { email: "bench@example.com", name: "Bench Creator" });
    const channel = await adminCall<{ id: string }>(base, "POST", "/channels", {
      account: "bench@example.com",
      title: "Bench",
    });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const v = await adminCall<{ id: string }>(base, "POST", "/videos", {
        channelId: channel.id,
        title: `Bench video ${i}`,
        description: `Description ${i}`,
        tags: ["bench"],
        viewsPerDay: 100 + i * 50,
      });
      ids.push(v.id);
    }

    // Sign in as the app does: consent (login_hint), code exchange with PKCE.
    const pkce = await createPkce();
    const redirectUri = "http://127.0.0.1/bench/callback";
    const consent = await fetch(
      authorizationUrl(endpoints, {
        clientId: project.clientId,
        redirectUri,
        state: "b",
        codeChallenge: pkce.challenge,
        loginHint: "bench@example.com",
      }),
      { redirect: "manual" },
    );
    const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const deps = {
      endpoints,
      fetch,
      timeoutMs: 10_000,
      now: Date.now,
      sleep: async () => {},
      random: Math.random,
    };
    const tokens = await exchangeCode(deps, project, { code, codeVerifier: pkce.verifier, redirectUri });
    const user: YouTubeUser = {
      id: "bench-user",
      project: project.id,
      refreshToken: tokens.refreshToken ?? "",
    };

    const gate = new CountingGate(project.id, project.apiKey);
    const client = new YouTubeClient({
      endpoints,
      gate,
      kv: new MemoryStore(),
      oauthClient: () => project,
      retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200 },
    });
    await client.getMyChannel(user); // warm: token refresh, JWKS-free path

    const rows: Row[] = [];
    const pick = (i: number) => ids[i % ids.length] as string;
    const batch = ids.slice(0, 50);
    rows.push(
      await run(base, project.id, "videos.list 1 id (API key)", 1, 300, (i) =>
        client.getPublicVideos([pick(i)]),
      ),
    );
    rows.push(
      await run(base, project.id, "videos.list 1 id (API key)", 16, 1500, (i) =>
        client.getPublicVideos([pick(i)]),
      ),
    );
    rows.push(
      await run(base, project.id, "videos.list 50 ids (OAuth, fresh)", 8, 300, () =>
        client.getVideos(user, batch, { fresh: true }),
      ),
    );
    rows.push(
      await run(base, project.id, "videos.list 100 ids → 2 calls", 8, 200, () => client.getPublicVideos(ids)),
    );
    await client.getVideos(user, batch);
    rows.push(
      await run(base, project.id, "dashboard read, 50 ids from KV", 16, 2000, () =>
        client.getVideos(user, batch),
      ),
    );
    rows.push(
      await run(base, project.id, "updateVideoTitle (fresh read + update)", 1, 100, (i) =>
        client.updateVideoTitle(user, pick(i), `Bench title ${i}`),
      ),
    );
    rows.push(
      await run(base, project.id, "updateVideoTitle (fresh read + update)", 8, 400, (i) =>
        client.updateVideoTitle(user, pick(i), `Bench title c${i}`),
      ),
    );
    await adminCall(base, "PUT", "/faults", {
      method: "videos.list",
      project: project.id,
      errorRate: 0.2,
      status: 503,
    });
    rows.push(
      await run(base, project.id, "videos.list 1 id, 20 % 503 (retried)", 16, 1000, (i) =>
        client.getPublicVideos([pick(i)]),
      ),
    );
    await adminCall(base, "DELETE", "/faults");

    console.log(
      `\nYouTube client → Google emulator (${base}), Node ${process.versions.node}, ${new Date().toISOString()}`,
    );
    console.table(rows);
    console.log(`units settled through the gate: ${gate.units}`);
  } finally {
    await emulator.stop();
  }
}

await main();
