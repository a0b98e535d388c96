import type { CacheStore } from "./cache-store";

/**
 * KV cache of dashboard reads (channel, uploads pages, video details). Every key starts with the
 * user's id, so one user's data is never served to another, even for the same video id. Reads
 * that precede a write never come from here (see `YouTubeClient.updateVideoTitle`).
 */

/** Time to live per kind of read, seconds (5–15 minutes: fresh enough for a picker, few repeat calls). */
export const CACHE_TTL_SECONDS = {
  channel: 15 * 60,
  uploads: 5 * 60,
  video: 5 * 60,
} as const;

/** What is cached. */
export type CachedKind = keyof typeof CACHE_TTL_SECONDS;

/** The cache key of a read, scoped to the user. */
export function cacheKey(userId: string, kind: CachedKind, ...parts: string[]): string {
  return ["yt:c1", userId, kind, ...parts].map(encodeURIComponent).join(":");
}

/** A cached value, if present. */
export async function readCache<T>(kv: CacheStore, key: string): Promise<T | null> {
  return (await kv.get(key, "json")) as T | null;
}

/** Stores a value for its kind's TTL. */
export function writeCache(kv: CacheStore, key: string, kind: CachedKind, value: unknown): Promise<void> {
  return kv.put(key, JSON.stringify(value), { expirationTtl: CACHE_TTL_SECONDS[kind] });
}
