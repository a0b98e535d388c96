import { SELF } from "cloudflare:test";
import type { CallEntry } from "../../emulator/call-log";
import { unique } from "../shared/unique-names";

/**
 * Builders for the emulator's contract tests: everything goes through the emulator's own HTTP
 * surface (SELF), and every test gets its own project, account and channel, so tests never
 * depend on each other's state.
 */

export const ORIGIN = "http://emulator.test";

/** Google's error envelope. */
export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string }[];
    status?: string;
  };
}

/** A Data API list response. */
export interface ListBody<T> {
  kind: string;
  etag: string;
  nextPageToken?: string;
  prevPageToken?: string;
  pageInfo: { totalResults: number; resultsPerPage: number };
  items: T[];
}

/** A youtube#video as the tests read it. */
export interface VideoItem {
  kind: string;
  etag: string;
  id: string;
  snippet?: {
    publishedAt: string;
    channelId: string;
    title: string;
    description: string;
    channelTitle: string;
    thumbnails: Record<string, { url: string; width: number; height: number }>;
    tags?: string[];
    categoryId: string;
    liveBroadcastContent: string;
    defaultLanguage?: string;
    localized: { title: string; description: string };
    defaultAudioLanguage?: string;
  };
  statistics?: { viewCount: string; likeCount: string; favoriteCount: string; commentCount: string };
  status?: {
    uploadStatus: string;
    privacyStatus: string;
    license: string;
    embeddable: boolean;
    publicStatsViewable: boolean;
    madeForKids: boolean;
  };
  contentDetails?: {
    duration: string;
    dimension: string;
    definition: string;
    caption: string;
    licensedContent: boolean;
    contentRating: object;
    projection: string;
  };
}

export type { CallEntry };

/** Calls the emulator and parses JSON (HTML stays text); `T` is the body's expected shape. */
export async function call<T = unknown>(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", ...init });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json")) body = text ? JSON.parse(text) : null;
  return { status: res.status, body: body as T, headers: res.headers };
}

/** POST/PUT/PATCH JSON to the admin API; throws unless it answers 2xx. */
export async function admin<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await call<T>(`/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300)
    throw new Error(`admin ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export { unique };

/** A project, an account with a channel, and `videoCount` videos. */
export interface World {
  project: { id: string; clientId: string; clientSecret: string; apiKey: string };
  account: { sub: string; email: string; name: string };
  channel: { id: string; uploadsPlaylistId: string; title: string };
  videos: { id: string; title: string }[];
}

/** Builds a world through the admin API. */
export async function world(
  options: { videoCount?: number; dailyLimit?: number; video?: Record<string, unknown> } = {},
): Promise<World> {
  const id = unique("p");
  const project = {
    id,
    clientId: `${id}.apps.googleusercontent.com`,
    clientSecret: `${id}-secret`,
    apiKey: `${id}-key`,
  };
  await admin("POST", "/projects", { ...project, dailyLimit: options.dailyLimit ?? 10_000 });
  const email = `${unique("u")}@example.com`;
  const account = await admin<World["account"]>("POST", "/accounts", { email, name: "Test Creator" });
  const channel = await admin<{ id: string; uploadsPlaylistId: string }>("POST", "/channels", {
    account: email,
    title: "Test Channel",
  });
  const videos: World["videos"] = [];
  for (let i = 0; i < (options.videoCount ?? 3); i++) {
    const v = await admin<{ id: string; title: string }>("POST", "/videos", {
      channelId: channel.id,
      title: `Video ${i + 1}`,
      description: `Description ${i + 1}`,
      tags: ["a", "b"],
      categoryId: "27",
      defaultLanguage: "en",
      defaultAudioLanguage: "en",
      publishedAt: Date.now() - (i + 1) * 86_400_000,
      ...options.video,
    });
    videos.push({ id: v.id, title: v.title });
  }
  return { project, account, channel: { ...channel, title: "Test Channel" }, videos };
}

/** base64url(SHA-256(verifier)). */
export async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

export const REDIRECT_URI = "http://app.test/api/auth/callback";
export const SCOPES =
  "openid email profile https://www.googleapis.com/auth/youtube https://www.googleapis.com/auth/yt-analytics.readonly";

/** Runs the consent (login_hint) and returns the authorization code. */
export async function authorize(
  w: World,
  extra: Record<string, string> = {},
): Promise<{ code: string; state: string | null; location: URL }> {
  const q = new URLSearchParams({
    client_id: w.project.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: SCOPES,
    state: "st-123",
    access_type: "offline",
    login_hint: w.account.email,
    ...extra,
  });
  const res = await call(`/o/oauth2/v2/auth?${q}`);
  if (res.status !== 302) throw new Error(`authorize → ${res.status}`);
  const location = new URL(res.headers.get("location") as string);
  return {
    code: location.searchParams.get("code") as string,
    state: location.searchParams.get("state"),
    location,
  };
}

/** A token endpoint answer (success or OAuth error). */
export interface TokenBody {
  access_token: string;
  refresh_token: string;
  id_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
  error?: string;
  error_description?: string;
}

/** POSTs a form to /token. */
export function tokenRequest(form: Record<string, string>) {
  return call<TokenBody>("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** Signs the world's account in (PKCE S256) and returns Google's token response. */
export async function signIn(w: World, extra: Record<string, string> = {}): Promise<TokenBody> {
  const verifier = `verifier-${unique("v")}-0123456789abcdefghijklmnop`;
  const { code } = await authorize(w, {
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    ...extra,
  });
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: w.project.clientId,
    client_secret: w.project.clientSecret,
    redirect_uri: REDIRECT_URI,
  });
  if (res.status !== 200) throw new Error(`token → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A call with a bearer token. */
export function withToken<T = unknown>(path: string, token: string, init: RequestInit = {}) {
  return call<T>(path, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });
}

/** The call log of a project after id `since`. */
export async function callsOf(projectId: string, since = 0): Promise<CallEntry[]> {
  return (
    await admin<{ calls: CallEntry[] }>(
      "GET",
      `/calls?project=${encodeURIComponent(projectId)}&since=${since}`,
    )
  ).calls;
}
