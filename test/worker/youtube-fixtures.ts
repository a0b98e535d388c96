import { env } from "cloudflare:test";
import type { CallEntry } from "../../emulator/call-log";
import type {
  QuotaDenial,
  QuotaGate,
  QuotaGrant,
  QuotaRequest,
  QuotaSettlement,
} from "../../worker/quota/types";
import { YouTubeClient, type YouTubeClientOptions, type YouTubeUser } from "../../worker/youtube/client";
import { googleEndpoints } from "../../worker/youtube/endpoints";
import { authorizationUrl, createPkce, exchangeCode, type OAuthDeps } from "../../worker/youtube/oauth";
import type { TokenSet } from "../../worker/youtube/types";
import { unique } from "../shared/unique-names";

/**
 * Fixtures of the YouTube client tests: they run against the Google emulator that
 * test/setup/emulator.ts started (its URL is the Worker's Google base URLs), and build their data
 * through its admin API with unique names, since the emulator is shared by the whole run.
 */

/** The emulator's Google endpoints, as the Worker sees them. */
export const endpoints = googleEndpoints(env);
const emulator = endpoints.apis;

/** Calls the emulator's admin API; throws unless it answers 2xx. */
export async function emulatorAdmin<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${emulator}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** One entry of the emulator's call log. */
export type LoggedCall = CallEntry;

/** The call log of one project. */
export async function callLog(project: string): Promise<LoggedCall[]> {
  return (
    await emulatorAdmin<{ calls: LoggedCall[] }>("GET", `/calls?project=${encodeURIComponent(project)}`)
  ).calls;
}

export { unique };

/** A Google project, an account with a channel and videos, all fresh. */
export interface Creator {
  project: { id: string; clientId: string; clientSecret: string; apiKey: string };
  email: string;
  sub: string;
  channelId: string;
  videos: { id: string; title: string }[];
}

/** Creates a creator in the emulator. */
export async function createCreator(
  options: {
    videos?: number;
    accessTokenTtlSeconds?: number;
    dailyLimit?: number;
    privacyStatus?: string;
  } = {},
): Promise<Creator> {
  const id = unique("proj");
  const project = {
    id,
    clientId: `${id}.apps.googleusercontent.com`,
    clientSecret: `${id}-secret`,
    apiKey: `${id}-key`,
  };
  await emulatorAdmin("POST", "/projects", {
    ...project,
    dailyLimit: options.dailyLimit ?? 10_000,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
  });
  const email = `${unique("creator")}@example.com`;
  const account = await emulatorAdmin<{ sub: string }>("POST", "/accounts", { email, name: "Client Test" });
  const channel = await emulatorAdmin<{ id: string }>("POST", "/channels", {
    account: email,
    title: `Channel of ${email}`,
  });
  const videos: Creator["videos"] = [];
  for (let i = 0; i < (options.videos ?? 2); i++) {
    const v = await emulatorAdmin<{ id: string; title: string }>("POST", "/videos", {
      channelId: channel.id,
      title: `Upload ${i + 1}`,
      description: `Links and credits for upload ${i + 1}`,
      tags: ["cooking", `tag${i}`],
      categoryId: "26",
      defaultLanguage: "en",
      defaultAudioLanguage: "en-US",
      publishedAt: Date.now() - (i + 1) * 3_600_000,
      privacyStatus: options.privacyStatus,
    });
    videos.push(v);
  }
  return { project, email, sub: account.sub, channelId: channel.id, videos };
}

/** OAuth dependencies for the client's OAuth functions, without waiting on retries. */
export function oauthDeps(): OAuthDeps {
  return {
    endpoints,
    fetch: (i, init) => fetch(i, init),
    timeoutMs: 5_000,
    now: Date.now,
    sleep: async () => {},
    random: () => 0.5,
  };
}

/** Signs a creator in through the consent page (login_hint) and the code exchange, as the app does. */
export async function signIn(creator: Creator, nonce?: string): Promise<TokenSet> {
  const pkce = await createPkce();
  const redirectUri = "http://app.test/api/auth/callback";
  const url = authorizationUrl(endpoints, {
    clientId: creator.project.clientId,
    redirectUri,
    state: "s",
    codeChallenge: pkce.challenge,
    nonce,
    loginHint: creator.email,
  });
  const res = await fetch(url, { redirect: "manual" });
  await res.body?.cancel();
  const code = new URL(res.headers.get("location") ?? "http://x").searchParams.get("code");
  if (!code) throw new Error(`consent gave no code (${res.status})`);
  return exchangeCode(oauthDeps(), creator.project, { code, codeVerifier: pkce.verifier, redirectUri });
}

/** A QuotaGate for tests: grants unless told to deny, and records every reserve and settle. */
export class RecordingGate implements QuotaGate {
  readonly reserved: QuotaRequest[] = [];
  readonly settled: (QuotaSettlement & { grantId: string; project: string })[] = [];
  deny: QuotaDenial | undefined;
  private readonly grants = new Map<string, string>();

  constructor(private readonly keys: Record<string, string>) {}

  async reserve(request: QuotaRequest): Promise<QuotaGrant | QuotaDenial> {
    this.reserved.push(request);
    if (this.deny) return this.deny;
    const project = request.project ?? (Object.keys(this.keys)[0] as string);
    const grantId = crypto.randomUUID();
    this.grants.set(grantId, project);
    return {
      granted: true,
      grantId,
      project,
      apiKey: this.keys[project] ?? "",
      expiresAt: Date.now() + 120_000,
    };
  }

  async settle(grantId: string, settlement: QuotaSettlement): Promise<void> {
    const project = this.grants.get(grantId);
    if (!project) throw new Error(`settle of an unknown grant ${grantId}`);
    this.grants.delete(grantId);
    this.settled.push({ ...settlement, grantId, project });
  }

  /** Grants handed out and never settled. */
  get open(): number {
    return this.grants.size;
  }

  unitsSettled(project: string): number {
    return this.settled.filter((s) => s.project === project).reduce((sum, s) => sum + s.units, 0);
  }
}

/** A client wired to the emulator, with a recording gate and no real sleeping. */
export function clientFor(creator: Creator, overrides: Partial<YouTubeClientOptions> = {}) {
  const gate = new RecordingGate({ [creator.project.id]: creator.project.apiKey });
  const sleeps: number[] = [];
  const requests: string[] = [];
  const client = new YouTubeClient({
    endpoints,
    gate,
    kv: env.CACHE,
    oauthClient: () => creator.project,
    fetch: (input, init) => {
      requests.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.999,
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    timeoutMs: 5_000,
    ...overrides,
  });
  return { client, gate, sleeps, requests };
}

/** The client's view of a signed-in creator. */
export async function userOf(creator: Creator): Promise<YouTubeUser> {
  const tokens = await signIn(creator);
  return { id: unique("user"), project: creator.project.id, refreshToken: tokens.refreshToken as string };
}
