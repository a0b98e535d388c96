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
  return { state, codeVerifier, nonce, project, returnTo } as OAuthAttempt;
}

/** A safe place to return to: a path of this app, never another site (`//evil`, `https:`). */
export function safeReturnPath(requested: string | undefined): string {
  const isLocalPath = requested?.startsWith("/") && !requested.startsWith("//") && !requested.includes("\\");
  return isLocalPath && requested ? requested.slice(0, 512) : "/";
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
