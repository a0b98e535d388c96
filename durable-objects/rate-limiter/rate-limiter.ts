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

/** One key's count in its current window. */
interface Window {
  start: number;
  end: number;
  count: number;
}

/** Keys past which a lease first forgets the windows that have ended. */
const SWEEP_AT = 5_000;

/**
 * Fixed-window request budgets for the keys of one shard (`ip:…`, `ip6:…/64` or `user:…`; see
 * `stub.ts` for how keys map to shards). Isolates lease tokens from it (`lease`), a few at a time,
 * and spend them locally, so a busy client costs one call here per few requests instead of one per
 * request; the tokens handed out never exceed the limit, so the limit holds across isolates (an
 * isolate's unspent tokens are merely forgiven with the window). A shard holds many keys, so a
 * client's first request reaches an object already running rather than creating one. Counts live
 * in memory only: losing them on eviction forgives a few requests, and not writing storage keeps
 * each lease to one round trip.
 */
export class RateLimiter extends DurableObject<Env> {
  private readonly windows = new Map<string, Window>();

  /** Grants `key` up to `want` of what is left of `limit` per `windowSeconds`. */
  lease(key: string, limit: number, windowSeconds: number, want: number, now = Date.now()): RateLease {
    const windowMs = windowSeconds * 1000;
    const start = now - (now % windowMs);
    let window = this.windows.get(key);
    if (window?.start !== start) {
      if (!window && this.windows.size >= SWEEP_AT) this.forgetEnded(now);
      window = { start, end: start + windowMs, count: 0 };
      this.windows.set(key, window);
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((window.end - now) / 1000));
    const granted = Math.max(0, Math.min(Math.max(1, Math.floor(want)), limit - window.count));
    window.count += granted;
    return { granted, windowStart: start, retryAfterSeconds };
  }

  /** How many keys the shard holds a window for (for tests and diagnostics). */
  keys(): number {
    return this.windows.size;
  }

  private forgetEnded(now: number): void {
    for (const [key, window] of this.windows) if (window.end <= now) this.windows.delete(key);
  }
}
