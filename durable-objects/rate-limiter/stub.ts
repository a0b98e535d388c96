import type { RateLease } from "./rate-limiter";

/**
 * Objects the keys are spread over. Each is one thread; a lease is a few microseconds of work and
 * an isolate asks once per twentieth of a key's limit, so 64 carry far more than the API serves.
 */
export const RATE_LIMITER_SHARDS = 64;

/** FNV-1a: a cheap, stable spread of keys over shards. */
function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % RATE_LIMITER_SHARDS;
}

/** The request budget of one key (`ip:<v4>`, `ip6:<prefix>::/64` or `user:<id>`), leased out to isolates. */
export function rateLimiter(env: Pick<Env, "RATE_LIMITER">, key: string) {
  const shard = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`shard:${shardOf(key)}`));
  return {
    lease: (limit: number, windowSeconds: number, want: number, now?: number): Promise<RateLease> =>
      shard.lease(key, limit, windowSeconds, want, now),
  };
}
