import { DurableObject } from "cloudflare:workers";

/** What the object granted to one isolate: tokens of the current window. */
export interface RateLease {
  /** Requests the isolate may let through in this window (0: the budget is spent). */
  granted: number;
  /** Start of the window the tokens belong to (ms since epoch). */
  windowStart: number;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSeconds: number;
}

/**
 * A fixed-window request budget for one key (`idFromName("ip:…")`, `"ip6:…/64"` or `"user:…"`).
 * Isolates lease tokens from it (`lease`), a few at a time, and spend them locally, so a busy
 * client costs one call here per few requests instead of one per request; the tokens handed out
 * never exceed the limit, so the limit holds across isolates (an isolate's unspent tokens are
 * merely forgiven with the window). The count lives in memory only: losing it on eviction forgives
 * a few requests, and not writing storage keeps each lease to one round trip.
 */
export class RateLimiter extends DurableObject<Env> {
  private windowStart = 0;
  private count = 0;

  /** Grants up to `want` of what is left of `limit` per `windowSeconds`. */
  lease(limit: number, windowSeconds: number, want: number, now = Date.now()): RateLease {
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    const granted = Math.max(0, Math.min(Math.max(1, Math.floor(want)), limit - this.count));
    this.count += granted;
    return { granted, windowStart: start, retryAfterSeconds };
  }
}
