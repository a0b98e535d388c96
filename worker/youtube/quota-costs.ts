/**
 * YouTube Data API units per call (Google's cost table, for the methods the client uses). The
 * Analytics API (`analytics.reports`: daily metrics, traffic sources) is not here: it has a quota
 * of its own and costs no Data API units, so the client reserves nothing for it and settles 0.
 */
export const QUOTA_COSTS = {
  "channels.list": 1,
  "playlistItems.list": 1,
  "videos.list": 1,
  "videos.update": 50,
  "thumbnails.set": 50,
} as const;

/** A Data API method the client calls. */
export type DataApiMethod = keyof typeof QUOTA_COSTS;

/**
 * Units a finished attempt cost, as YouTube charges: the full cost on success; nothing when it
 * was refused for credentials (401, bad key) or because the project's day is spent; 1 for anything
 * else ("a rejected call still costs ≥ 1"), server errors included. A timeout or network failure
 * (no status) counts the full cost: Google may have received and applied the call, and the ledger
 * must never undercount.
 */
export function unitsCharged(method: DataApiMethod, status: number | undefined, reason?: string): number {
  if (status === undefined || status < 400) return QUOTA_COSTS[method];
  if (status === 401 || reason === "quotaExceeded" || reason === "keyInvalid") return 0;
  return 1;
}
