import { count } from "drizzle-orm";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { deadLetters, testStatuses, tests } from "../../schema";
import type { Db } from "../db/client";
import type { QuotaPriority } from "../quota/types";
import { type CounterSample, type Labels, labelKey, MetricsBatch } from "./batch";
import { FAMILIES, HTTP_DURATION_BUCKETS } from "./families";
import { type FamilyData, formatExposition, type HistogramSeries, type Sample } from "./prometheus";
import { flushMetrics, metricsShards } from "./record";

const PRIORITIES: readonly QuotaPriority[] = ["premium", "standard", "background"];

function byLabels<T extends { labels: Labels }>(items: T[]): T[] {
  return items.sort((a, b) => (labelKey(a.labels) < labelKey(b.labels) ? -1 : 1));
}

function samplesOf(counters: readonly CounterSample[], name: string): Sample[] {
  return byLabels(counters.filter((c) => c.name === name).map(({ labels, value }) => ({ labels, value })));
}

/** Rebuilds histogram series from their `_bucket` (per `le`, not cumulative), `_sum` and `_count` counters. */
function histogramOf(counters: readonly CounterSample[], name: string): HistogramSeries[] {
  const series = new Map<
    string,
    { labels: Labels; perBound: Map<number, number>; sum: number; count: number }
  >();
  const seriesOf = (labels: Labels) => {
    const key = labelKey(labels);
    let entry = series.get(key);
    if (!entry) {
      entry = { labels, perBound: new Map(), sum: 0, count: 0 };
      series.set(key, entry);
    }
    return entry;
  };
  for (const c of counters) {
    if (c.name === `${name}_bucket`) {
      const { le, ...labels } = c.labels;
      const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
      const perBound = seriesOf(labels).perBound;
      perBound.set(bound, (perBound.get(bound) ?? 0) + c.value);
    } else if (c.name === `${name}_sum`) seriesOf(c.labels).sum += c.value;
    else if (c.name === `${name}_count`) seriesOf(c.labels).count += c.value;
  }
  return byLabels(
    [...series.values()].map(({ labels, perBound, sum, count }) => {
      const bounds = [
        ...new Set([...HTTP_DURATION_BUCKETS, ...perBound.keys(), Number.POSITIVE_INFINITY]),
      ].sort((a, b) => a - b);
      let cumulative = 0;
      const buckets = bounds.map((le) => {
        cumulative += perBound.get(le) ?? 0;
        return { le, count: cumulative };
      });
      return { labels, buckets, sum, count };
    }),
  );
}

/**
 * Everything `/api/metrics` shows, in the exposition format: the recorders' counters summed over
 * the shards, quota gauges from the ledger's `status()`, test and dead-letter gauges from Postgres.
 */
export async function scrapeMetrics(env: Env, db: Db): Promise<string> {
  // This isolate's request counts may still be pending (queueMetrics): send them before reading.
  await flushMetrics(env);
  const [snapshots, quota, testCounts, [dead]] = await Promise.all([
    Promise.all(metricsShards(env).map((shard) => shard.snapshot())),
    quotaLedger(env).status(),
    db.select({ status: tests.status, n: count() }).from(tests).groupBy(tests.status),
    db.select({ n: count() }).from(deadLetters),
  ]);
  const merged = new MetricsBatch();
  for (const snapshot of snapshots) merged.add(snapshot);
  const counters = merged.data().counters;
  const testsByStatus = new Map(testCounts.map((row) => [row.status, row.n]));

  const families: FamilyData[] = [
    { spec: FAMILIES.httpRequests, samples: samplesOf(counters, FAMILIES.httpRequests.name) },
    { spec: FAMILIES.httpDuration, series: histogramOf(counters, FAMILIES.httpDuration.name) },
    { spec: FAMILIES.youtubeCalls, samples: samplesOf(counters, FAMILIES.youtubeCalls.name) },
    { spec: FAMILIES.rotations, samples: samplesOf(counters, FAMILIES.rotations.name) },
    {
      spec: FAMILIES.quotaUsed,
      samples: quota.projects.map((p) => ({ labels: { project: p.id }, value: p.used })),
    },
    {
      spec: FAMILIES.quotaLimit,
      samples: quota.projects.map((p) => ({ labels: { project: p.id }, value: p.dailyLimit })),
    },
    {
      spec: FAMILIES.quotaDenials,
      samples: PRIORITIES.map((priority) => ({
        labels: { priority },
        value: quota.priorities[priority].denials,
      })),
    },
    {
      // Every status, zeros included, so "no running tests" is a value and not a missing series.
      spec: FAMILIES.tests,
      samples: testStatuses.map((status) => ({ labels: { status }, value: testsByStatus.get(status) ?? 0 })),
    },
    { spec: FAMILIES.deadLetters, samples: [{ labels: {}, value: dead?.n ?? 0 }] },
    { spec: FAMILIES.jobsEnqueued, samples: samplesOf(counters, FAMILIES.jobsEnqueued.name) },
    { spec: FAMILIES.jobsProcessed, samples: samplesOf(counters, FAMILIES.jobsProcessed.name) },
    { spec: FAMILIES.rateLimiterFailures, samples: samplesOf(counters, FAMILIES.rateLimiterFailures.name) },
  ];
  return formatExposition(families);
}
