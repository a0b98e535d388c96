import { base64url, createRemoteJWKSet, type JWKSCacheInput, jwksCache, jwtVerify } from "jose";
import { type GoogleEndpoints, idTokenIssuers } from "./endpoints";
import { classifyTokenError, YouTubeError } from "./errors";
import { DEFAULT_RETRY, type RetryDeps, type RetryPolicy, withRetry } from "./retry";
import { send, type TransportDeps } from "./transport";
import type { GoogleIdentity, TokenSet, Wire } from "./types";

/**
 * Google OAuth 2.0 for a web server app: the consent URL (code flow, PKCE S256, state, offline
 * access), the token endpoint, revocation and ID token verification against the JWKS.
 */

/** The OAuth client of one Google Cloud project. */
export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The scopes the product asks for. */
export const YOUTUBE_SCOPES = [
  "openid",
  "email",
  "profile",
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/yt-analytics.readonly",
] as const;

/** A PKCE verifier and its S256 challenge. */
export interface Pkce {
  verifier: string;
  challenge: string;
}

/** Makes a PKCE pair (43-character verifier, RFC 7636). */
export async function createPkce(): Promise<Pkce> {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** The URL of Google's consent page for the code flow. */
export function authorizationUrl(
  endpoints: GoogleEndpoints,
  params: {
    clientId: string;
    redirectUri: string;
    state: string;
    codeChallenge: string;
    nonce?: string;
    loginHint?: string;
    scopes?: readonly string[];
  },
): string {
  const url = new URL(`${endpoints.accounts}/o/oauth2/v2/auth`);
  const q = url.searchParams;
  q.set("client_id", params.clientId);
  q.set("redirect_uri", params.redirectUri);
  q.set("response_type", "code");
  q.set("scope", (params.scopes ?? YOUTUBE_SCOPES).join(" "));
  q.set("state", params.state);
  q.set("code_challenge", params.codeChallenge);
  q.set("code_challenge_method", "S256");
  q.set("access_type", "offline");
  // Consent every time: Google only returns a refresh token on consent.
  q.set("prompt", "consent");
  q.set("include_granted_scopes", "true");
  if (params.nonce) q.set("nonce", params.nonce);
  if (params.loginHint) q.set("login_hint", params.loginHint);
  return url.toString();
}

/** What the OAuth functions need (and the clients' calls: network, clock, backoff). */
export interface OAuthDeps extends TransportDeps, RetryDeps {
  endpoints: GoogleEndpoints;
  now: () => number;
  retry?: RetryPolicy;
}

/** The parts of OAuthDeps a client's options may set (tests inject them); each has a default. */
export type CallOptions = Partial<Omit<OAuthDeps, "endpoints">>;

/** OAuthDeps from what `options` sets; the rest real fetch, timers, randomness and clock. */
export function callDeps(endpoints: GoogleEndpoints, options: CallOptions, timeoutMs: number): OAuthDeps {
  return {
    endpoints,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    retry: options.retry ?? DEFAULT_RETRY,
    timeoutMs: options.timeoutMs ?? timeoutMs,
  };
}

async function tokenRequest(deps: OAuthDeps, form: Record<string, string>): Promise<TokenSet> {
  return withRetry(deps.retry ?? DEFAULT_RETRY, deps, async () => {
    const answer = await send(deps, `${deps.endpoints.oauth2}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    if (answer.status !== 200) throw classifyTokenError(answer.status, answer.body);
    const t = answer.body as Wire.TokenResponse;
    return {
      accessToken: t.access_token,
      expiresAt: deps.now() + t.expires_in * 1000,
      refreshToken: t.refresh_token,
      idToken: t.id_token,
      scope: t.scope,
    };
  });
}

/** Exchanges an authorization code (with its PKCE verifier) for tokens. */
export function exchangeCode(
  deps: OAuthDeps,
  client: OAuthClientCredentials,
  params: { code: string; codeVerifier: string; redirectUri: string },
): Promise<TokenSet> {
  return tokenRequest(deps, {
    grant_type: "authorization_code",
    code: params.code,
    code_verifier: params.codeVerifier,
    redirect_uri: params.redirectUri,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

/** A new access token from a refresh token; `auth_revoked` when Google says invalid_grant. */
export function refreshAccessToken(
  deps: OAuthDeps,
  client: OAuthClientCredentials,
  refreshToken: string,
): Promise<TokenSet> {
  return tokenRequest(deps, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

/** Revokes a token (and with it the user's grant). An already revoked token is not an error. */
export async function revokeToken(deps: OAuthDeps, token: string): Promise<void> {
  await withRetry(deps.retry ?? DEFAULT_RETRY, deps, async () => {
    const answer = await send(deps, `${deps.endpoints.oauth2}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    if (answer.status === 200) return;
    const error = classifyTokenError(answer.status, answer.body);
    if (error.reason === "invalid_token") return;
    throw error;
  });
}

/** The signed-in user's profile from the userinfo endpoint (an alternative to the ID token's claims). */
export async function fetchUserInfo(deps: OAuthDeps, accessToken: string): Promise<GoogleIdentity> {
  return withRetry(deps.retry ?? DEFAULT_RETRY, deps, async () => {
    const answer = await send(deps, `${deps.endpoints.apis}/oauth2/v3/userinfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (answer.status === 401)
      throw new YouTubeError("auth_revoked", "access token rejected by userinfo", { status: 401 });
    if (answer.status !== 200) throw classifyTokenError(answer.status, answer.body);
    const p = answer.body as Record<string, unknown>;
    return {
      sub: String(p.sub),
      email: String(p.email),
      emailVerified: p.email_verified === true,
      name: typeof p.name === "string" ? p.name : undefined,
      picture: typeof p.picture === "string" ? p.picture : undefined,
    };
  });
}

/**
 * Google's keys per JWKS URL, kept per isolate as plain data. A key set object is made per call
 * around them: one shared across requests would share its fetch in flight, and in Workers a
 * request must not await another request's I/O.
 */
const jwksCaches = new Map<string, JWKSCacheInput>();

/**
 * Verifies an ID token (RS256, Google's JWKS, issuer, audience, expiry, nonce) and returns the
 * identity. The JWKS is fetched once per isolate and refreshed by jose when a new `kid` shows up.
 */
export async function verifyIdToken(
  endpoints: GoogleEndpoints,
  idToken: string,
  expected: { clientId: string; nonce?: string },
): Promise<GoogleIdentity> {
  const url = `${endpoints.apis}/oauth2/v3/certs`;
  let cache = jwksCaches.get(url);
  if (!cache) {
    cache = {};
    jwksCaches.set(url, cache);
  }
  const jwks = createRemoteJWKSet(new URL(url), { [jwksCache]: cache });
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(idToken, jwks, {
      issuer: idTokenIssuers(endpoints),
      audience: expected.clientId,
      algorithms: ["RS256"],
    }));
  } catch (err) {
    throw new YouTubeError(
      "invalid_request",
      `ID token rejected: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
    throw new YouTubeError("invalid_request", "ID token rejected: nonce mismatch");
  }
  if (typeof payload.sub !== "string" || typeof payload.email !== "string") {
    throw new YouTubeError("invalid_request", "ID token rejected: no sub or email");
  }
  return {
    sub: payload.sub,
    email: payload.email,
    emailVerified: payload.email_verified === true,
    name: typeof payload.name === "string" ? payload.name : undefined,
    picture: typeof payload.picture === "string" ? payload.picture : undefined,
    nonce: typeof payload.nonce === "string" ? payload.nonce : undefined,
  };
}
