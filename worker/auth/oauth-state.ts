import { SignJWT } from "jose";
import { signWithSessionKeys, verifyWithSessionKeys } from "./hs256";

/** The short-lived cookie that carries one sign-in attempt from /start to /callback. */
export const OAUTH_COOKIE = "__Host-ttp_oauth";

/** A sign-in attempt must finish within 10 minutes. */
export const OAUTH_TTL_SECONDS = 600;

const AUDIENCE = "titletesterpro:oauth";

/** What the server must remember between sending the user to Google and their return. */
export interface OAuthAttempt {
  /** Sent to Google and echoed back: binds the callback to this browser's attempt. */
  state: string;
  /** The PKCE verifier: never leaves the server side except in this signed, HttpOnly cookie. */
  codeVerifier: string;
  /** Echoed inside the ID token: binds the token to this attempt. */
  nonce: string;
  /** The quota project whose OAuth client the user consents to. */
  project: string;
  /** Where to land after signing in (a path of this app). */
  returnTo: string;
}

type Keys = { SESSION_KEYS?: string };

/** Signs an attempt for the OAuth cookie (with the session keyring; a different audience). */
export function sealAttempt(env: Keys, attempt: OAuthAttempt): Promise<string> {
  return signWithSessionKeys(
    env,
    new SignJWT({ ...attempt })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${OAUTH_TTL_SECONDS}s`),
  );
}

/** The attempt of a cookie, or `null` when it is missing, tampered with or expired. */
export async function openAttempt(env: Keys, sealed: string | undefined): Promise<OAuthAttempt | null> {
  const payload = sealed ? await verifyWithSessionKeys(env, sealed, { audience: AUDIENCE }) : null;
  if (!payload) return null;
  const { state, codeVerifier, nonce, project, returnTo } = payload;
  if ([state, codeVerifier, nonce, project, returnTo].some((v) => typeof v !== "string")) return null;
  // Checked again on the way out: a cookie sealed before a stricter check still lands safely.
  return {
    state,
    codeVerifier,
    nonce,
    project,
    returnTo: safeReturnPath(returnTo as string),
  } as OAuthAttempt;
}

/** The longest return path kept: a sign-in link carries a page of this app, not a payload. */
export const RETURN_PATH_MAX = 512;

/**
 * Stands in for the app's origin when none is given: a path that starts with one `/` resolves
 * to the same origin whatever origin it is resolved against, so the answer does not depend on it.
 */
const PLACEHOLDER_ORIGIN = "https://app.invalid";

/**
 * Whitespace, control characters and backslashes: browsers drop tabs and newlines from a URL and
 * read `\` as `/` (so `/\t/evil.example` and `/\\evil.example` are `//evil.example`), and a
 * newline cannot go into a `Location` header at all. Their percent-encoded forms are refused too
 * (checked on the path decoded once): no page of this app needs them, and code that decodes a
 * path before using it (a router, a log viewer) would meet the raw character again.
 */
const UNSAFE_IN_PATH = /[\s\p{Cc}\\]/u;

/**
 * The path a sign-in may return to, or `null` when `requested` is not one: it must be a path of
 * this app (one leading `/`) free of whitespace, control characters and backslashes (raw or
 * percent-encoded), which,
 * resolved against `origin`, stays on `origin` and does not begin with `//`. The answer is the
 * resolved path (percent-encoded, dot segments gone), so a `Location` header can always carry it
 * and a browser reads it exactly as it was checked.
 */
export function returnPathOf(requested: string, origin: string = PLACEHOLDER_ORIGIN): string | null {
  if (!requested.startsWith("/") || requested.startsWith("//") || UNSAFE_IN_PATH.test(requested)) return null;
  let url: URL;
  try {
    url = new URL(requested, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith("//") || UNSAFE_IN_PATH.test(path) || path.length > RETURN_PATH_MAX) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  return decoded.startsWith("//") || UNSAFE_IN_PATH.test(decoded) ? null : path;
}

/** A safe place to return to: the path `returnPathOf` answers, else the home page. */
export function safeReturnPath(requested: string | undefined): string {
  return (requested === undefined ? null : returnPathOf(requested)) ?? "/";
}

/** How long a used state is remembered: past the life of any attempt that could carry it. */
const USED_STATE_TTL_SECONDS = OAUTH_TTL_SECONDS * 2;

/**
 * Claims an attempt's state for its one use: true the first time, false once it was seen (a
 * replayed callback). KV keeps the mark past the attempt's own life.
 */
export async function claimState(kv: KVNamespace, state: string): Promise<boolean> {
  const usedKey = `oauth-state:${state}`;
  if (await kv.get(usedKey)) return false;
  await kv.put(usedKey, "1", { expirationTtl: USED_STATE_TTL_SECONDS });
  return true;
}
