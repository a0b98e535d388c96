import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { readQuotaConfig } from "../../worker/quota/config";
import { emulatorAdmin, unique } from "./youtube-fixtures";

/**
 * Fixtures of the sign-in tests: creators made in the Google emulator, signed in through the app's
 * real OAuth routes (the emulator's `login_hint` stands in for the click on its consent page).
 */

export const APP = "https://app.test";
export const ORIGIN_HEADER = { origin: APP };

let projectRegistered: Promise<unknown> | undefined;

/** Registers the app's local quota project (its OAuth client and API key) in the emulator, once. */
export function registerAppProject(): Promise<unknown> {
  const project = readQuotaConfig(env).projects[0];
  if (!project) throw new Error("no quota project configured");
  projectRegistered ??= emulatorAdmin("POST", "/projects", {
    id: project.id,
    clientId: project.clientId,
    clientSecret: Reflect.get(env, project.clientSecretRef),
    apiKey: Reflect.get(env, project.apiKeyRef),
    dailyLimit: 1_000_000,
  });
  return projectRegistered;
}

/** A Google account with a channel and two videos, in the emulator. */
export async function createGoogleAccount(): Promise<{
  email: string;
  sub: string;
  channelId: string;
  videoIds: string[];
}> {
  await registerAppProject();
  const email = `${unique("creator")}@example.com`;
  const account = await emulatorAdmin<{ sub: string }>("POST", "/accounts", { email, name: "Signed In" });
  const channel = await emulatorAdmin<{ id: string }>("POST", "/channels", {
    account: email,
    title: `Channel of ${email}`,
  });
  const videoIds: string[] = [];
  for (const title of ["First upload", "Second upload"]) {
    const video = await emulatorAdmin<{ id: string }>("POST", "/videos", {
      channelId: channel.id,
      title,
      description: "desc",
      categoryId: "22",
    });
    videoIds.push(video.id);
  }
  return { email, sub: account.sub, channelId: channel.id, videoIds };
}

/** Every Set-Cookie header of a response (workerd has `getSetCookie`; the types lag behind). */
export function setCookies(res: Response): string[] {
  return (res.headers as Headers & { getSetCookie(): string[] }).getSetCookie();
}

/** The `name=value` of a Set-Cookie header named `name` in a response, if any. */
export function cookieFrom(res: Response, name: string): string | undefined {
  const header = setCookies(res).find((c) => c.startsWith(`${name}=`));
  return header?.split(";")[0];
}

/** Sends one request to the app without following redirects: `SELF` unless a test needs its own env. */
type Send = (url: string, init?: RequestInit) => Promise<Response>;

const viaSelf: Send = (url, init = {}) => SELF.fetch(url, { redirect: "manual", ...init });

/** The first two legs of a sign-in: /start, then the emulator's consent (by login_hint). */
export async function startSignIn(email: string, returnTo?: string, send: Send = viaSelf) {
  const query = new URLSearchParams({ login_hint: email, ...(returnTo ? { returnTo } : {}) });
  const start = await send(`${APP}/api/auth/google/start?${query}`);
  if (start.status !== 302) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  const consentUrl = start.headers.get("location") as string;
  const oauthCookie = cookieFrom(start, "__Host-ttp_oauth") as string;
  return { consentUrl, oauthCookie };
}

/** Follows the consent page's redirect: answers the app's callback URL with code and state. */
export async function consent(consentUrl: string): Promise<string> {
  const res = await fetch(consentUrl, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`consent answered ${res.status}: ${await res.text()}`);
  return res.headers.get("location") as string;
}

/** The three legs of a sign-in through `send`; answers the callback's response. */
async function signInThrough(send: Send, email: string): Promise<Response> {
  const { consentUrl, oauthCookie } = await startSignIn(email, undefined, send);
  return send(await consent(consentUrl), { headers: { cookie: oauthCookie } });
}

/** A whole sign-in; answers the session cookie (`name=value`) and the callback's response. */
export async function signIn(email: string): Promise<{ session: string; callback: Response }> {
  const callback = await signInThrough(viaSelf, email);
  const session = cookieFrom(callback, "__Host-ttp_session");
  if (callback.status !== 302 || !session)
    throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  return { session, callback };
}

/** A request of a signed-in browser: the session cookie, and the app's Origin. */
export function as(session: string, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: { ...ORIGIN_HEADER, cookie: session, ...(init.headers as Record<string, string>) },
  };
}

/** Calls the Worker with `workerEnv` (settings a test changes, e.g. ADMIN_EMAILS, ENVIRONMENT). */
export async function fetchWith(workerEnv: Env, url: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, { redirect: "manual", ...init }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A whole sign-in against a Worker with `workerEnv`; answers the callback's response. */
export function signInWith(workerEnv: Env, email: string): Promise<Response> {
  return signInThrough((url, init) => fetchWith(workerEnv, url, init), email);
}
