import { DurableObject } from "cloudflare:workers";

/** The verdict on one request. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSeconds: number;
}

/**
 * A fixed-window request counter for one key (`idFromName("ip:…")` or `"user:…"`). The count lives
 * in memory only: losing it on eviction merely forgives a few requests, and not writing storage
 * keeps each check to one round trip.
 */
export class RateLimiter extends DurableObject<Env> {
  private windowStart = 0;
  private count = 0;

  /** Counts one request against `limit` per `windowSeconds`. */
  hit(limit: number, windowSeconds: number, now = Date.now()): RateDecision {
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (this.count >= limit) return { allowed: false, remaining: 0, retryAfterSeconds };
    this.count++;
    return { allowed: true, remaining: limit - this.count, retryAfterSeconds };
  }
}
