import { YouTubeError } from "./errors";

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Few attempts, small delays: callers (alarms, queue jobs) have their own longer retry. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

/** Sleep and randomness, injectable so tests run without waiting. */
export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** "Full jitter" backoff: a uniform delay up to base · 2^(attempt−1), capped. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, throws something other than a transient YouTubeError, or the
 * attempts run out. 4xx classes are never retried here: retrying cannot fix them.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  deps: RetryDeps,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof YouTubeError) || err.kind !== "transient" || n >= policy.attempts) throw err;
      await deps.sleep(backoffDelay(policy, n, deps.random));
    }
  }
}
