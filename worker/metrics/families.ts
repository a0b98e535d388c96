/**
 * The metric families `/api/metrics` exposes, with their help text. Counters and histograms are
 * recorded by the Worker and its Durable Objects into the MetricsRecorder; gauges are read at
 * scrape time from the ledger and Postgres.
 */

/** A family's Prometheus type. */
export type MetricType = "counter" | "gauge" | "histogram";

/** Name, type and HELP line of one family. */
export interface FamilySpec {
  name: string;
  type: MetricType;
  help: string;
}

/** Upper bounds (seconds) of the request-latency buckets; `+Inf` is implied. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Every family, in the order the scrape writes them. */
export const FAMILIES = {
  httpRequests: {
    name: "ttp_http_requests_total",
    type: "counter",
    help: "API requests by Hono route pattern, method and status.",
  },
  httpDuration: {
    name: "ttp_http_request_duration_seconds",
    type: "histogram",
    help: "API request latency by Hono route pattern, in seconds.",
  },
  youtubeCalls: {
    name: "ttp_youtube_calls_total",
    type: "counter",
    help: "Attempts of Google API calls by method and HTTP status (0: no answer: network failure or timeout).",
  },
  rotations: {
    name: "ttp_rotations_total",
    type: "counter",
    help: "TestRotator step outcomes (rotated, quota_wait, drift, needs_reauth, retry, video_missing, finished).",
  },
  quotaUsed: {
    name: "ttp_quota_units_used",
    type: "gauge",
    help: "YouTube quota units spent today (Pacific day) per project, settled costs and expired grants.",
  },
  quotaLimit: {
    name: "ttp_quota_units_limit",
    type: "gauge",
    help: "Daily YouTube quota units per project.",
  },
  quotaDenials: {
    name: "ttp_quota_denials_total",
    type: "counter",
    help: "QuotaLedger denials by priority band; the ledger counts per Pacific day, so this resets at midnight PT.",
  },
  tests: {
    name: "ttp_tests",
    type: "gauge",
    help: "Title tests in Postgres by status.",
  },
  deadLetters: {
    name: "ttp_dead_letters",
    type: "gauge",
    help: "Jobs stored in Postgres after failing every retry (dead_letters rows).",
  },
  jobsEnqueued: {
    name: "ttp_jobs_enqueued_total",
    type: "counter",
    help: "Jobs sent to the JOBS queue by type. Queue depth is about enqueued minus processed with outcome ok or dead_letter.",
  },
  jobsProcessed: {
    name: "ttp_jobs_processed_total",
    type: "counter",
    help: "Job deliveries handled by the consumer by type and outcome (ok, retry, dead_letter); a retried job comes back.",
  },
  rateLimiterFailures: {
    name: "ttp_rate_limiter_failures_total",
    type: "counter",
    help: "Requests whose RateLimiter object failed, by mode: open (let through: reads, health, sign-in) or closed (503: writes).",
  },
} as const satisfies Record<string, FamilySpec>;

/** The rotator's outcomes that `ttp_rotations_total` counts. */
export type RotationOutcome =
  | "rotated"
  | "quota_wait"
  | "drift"
  | "needs_reauth"
  | "retry"
  | "video_missing"
  | "finished";

/** What the consumer did with one delivery. */
export type JobOutcome = "ok" | "retry" | "dead_letter";
