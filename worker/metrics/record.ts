import { AsyncLocalStorage } from "node:async_hooks";
import { metricsShard } from "../../durable-objects/metrics-recorder/stub";
import { MetricsBatch } from "./batch";
import { FAMILIES, type JobOutcome, type RotationOutcome } from "./families";

/**
 * Where metrics are recorded. A request, a job batch or a cron run opens a scope (`withMetrics`):
 * everything recorded inside it goes into one in-memory batch that the scope's owner sends once.
 * Outside any scope (a Durable Object's alarm or RPC) a record is sent at once. Sending never
 * throws: a lost batch only under-counts, and metrics must not break what they measure.
 */

/** How many MetricsRecorder shards take writes; the scrape sums them all. */
export const METRICS_SHARDS = 4;

type RecorderEnv = Pick<Env, "METRICS_RECORDER">;

const scope = new AsyncLocalStorage<MetricsBatch>();

/** The stub of every shard, for the scrape and the alert window. */
export function metricsShards(env: RecorderEnv) {
  return Array.from({ length: METRICS_SHARDS }, (_, i) => metricsShard(env, i));
}

/** Sends a batch to a random shard (random, so concurrent writers spread). Never rejects. */
export async function sendMetrics(env: RecorderEnv, batch: MetricsBatch): Promise<void> {
  if (batch.empty) return;
  const shard = Math.floor(Math.random() * METRICS_SHARDS);
  try {
    await metricsShard(env, shard).record(batch.data());
  } catch {
    // Deliberately silent: this often runs after the response, where a log line may never be flushed.
  }
}

/** At most one send per isolate this often for request metrics (`queueMetrics`). */
const METRICS_FLUSH_MS = 5_000;

/** The isolate's request metrics not yet sent, and when it last sent them. */
const pending = { batch: new MetricsBatch(), lastFlush: Number.NEGATIVE_INFINITY };

/**
 * Adds a request's batch to the isolate's pending counts and sends them (one `record()` to a
 * random shard) only when the last send was `METRICS_FLUSH_MS` ago or more: a Durable Object call
 * every few seconds per isolate instead of one per request. The caller hands the returned promise
 * to `waitUntil`. Counts still pending when an isolate is evicted are lost, which under-counts by
 * at most a few seconds of one isolate's traffic; the scrape and the alert checks flush first, so
 * what this isolate counted is never missing from what it reads itself.
 */
export function queueMetrics(env: RecorderEnv, batch: MetricsBatch, now = Date.now()): Promise<void> {
  pending.batch.add(batch.data());
  if (now - pending.lastFlush < METRICS_FLUSH_MS) return Promise.resolve();
  return flushMetrics(env, now);
}

/** Sends this isolate's pending request metrics now (before a scrape reads the shards). Never rejects. */
export function flushMetrics(env: RecorderEnv, now = Date.now()): Promise<void> {
  const batch = pending.batch;
  pending.batch = new MetricsBatch();
  pending.lastFlush = now;
  return sendMetrics(env, batch);
}

/** Runs `fn` with `batch` as the place every recorder below writes to. */
export function withMetrics<T>(batch: MetricsBatch, fn: () => T): T {
  return scope.run(batch, fn);
}

function record(env: RecorderEnv, fill: (batch: MetricsBatch) => void): void {
  const current = scope.getStore();
  if (current) {
    fill(current);
    return;
  }
  const batch = new MetricsBatch();
  fill(batch);
  void sendMetrics(env, batch);
}

/**
 * What the metrics read of a YouTube call attempt. The YouTube client's `CallReport` fits it; the
 * metrics name only the fields they count, so recording knows nothing of the client.
 */
export interface YouTubeCallSample {
  /** The API method (a closed set: it becomes a label). */
  method: string;
  /** The HTTP status, or undefined when no answer came. */
  status?: number;
}

/** A YouTube call attempt (the client's `onCall`); status ≥ 500 or no answer counts as failed. */
export function recordYouTubeCall(env: RecorderEnv, report: YouTubeCallSample, at = Date.now()): void {
  const status = report.status ?? 0;
  record(env, (batch) => {
    batch.count(FAMILIES.youtubeCalls.name, { method: report.method, status: String(status) });
    batch.youtubeCall(at, status === 0 || status >= 500);
  });
}

/** One outcome of a TestRotator step. */
export function recordRotation(env: RecorderEnv, outcome: RotationOutcome): void {
  record(env, (batch) => batch.count(FAMILIES.rotations.name, { outcome }));
}

/** Jobs handed to the JOBS queue, by type. */
export function recordJobsEnqueued(env: RecorderEnv, types: readonly string[]): void {
  record(env, (batch) => {
    for (const type of types) batch.count(FAMILIES.jobsEnqueued.name, { type });
  });
}

/** One delivery the consumer handled. */
export function recordJobProcessed(env: RecorderEnv, type: string, outcome: JobOutcome): void {
  record(env, (batch) => batch.count(FAMILIES.jobsProcessed.name, { type, outcome }));
}

/** One increment of a plain counter (e.g. `ttp_rate_limiter_failures_total`). */
export function recordCount(env: RecorderEnv, name: string, labels: Record<string, string>): void {
  record(env, (batch) => batch.count(name, labels));
}
