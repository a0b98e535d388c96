import type { CacheStore } from "./cache-store";

/**
 * Access tokens cached in KV per user until 5 minutes before they expire, so a refresh (free of
 * quota, but a round trip to Google) happens about once an hour per active user, not per call.
 */

/** Refresh this long before Google's expiry. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
/** KV's smallest expirationTtl. */
const KV_MIN_TTL_SECONDS = 60;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const keyOf = (userId: string) => `yt:access:${userId}`;

/** A cached access token that is still good for more than REFRESH_AHEAD_MS, if any. */
export async function cachedAccessToken(
  kv: CacheStore,
  userId: string,
  now: number,
): Promise<string | undefined> {
  const cached = (await kv.get(keyOf(userId), "json")) as CachedToken | null;
  return cached && cached.expiresAt - REFRESH_AHEAD_MS > now ? cached.accessToken : undefined;
}

/**
 * Caches an access token until REFRESH_AHEAD_MS before its expiry. Only the access token and its
 * expiry are written, whatever else the caller's token set carries: a refresh token or an ID token
 * must never reach KV in plaintext (refresh tokens live encrypted in Postgres only).
 */
export async function storeAccessToken(
  kv: CacheStore,
  userId: string,
  token: CachedToken,
  now: number,
): Promise<void> {
  const usable = Math.floor((token.expiresAt - REFRESH_AHEAD_MS - now) / 1000);
  if (usable <= 0) return;
  const cached: CachedToken = { accessToken: token.accessToken, expiresAt: token.expiresAt };
  await kv.put(keyOf(userId), JSON.stringify(cached), {
    expirationTtl: Math.max(KV_MIN_TTL_SECONDS, usable),
  });
}

/** Forgets a user's access token (after a 401, or when they sign out or are revoked). */
export async function forgetAccessToken(kv: CacheStore, userId: string): Promise<void> {
  await kv.delete(keyOf(userId));
}
