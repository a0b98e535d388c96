import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../../worker/durable/sqlite-migrations";
import { labelKey, labelsOf, type MetricsData, minuteOf } from "../../worker/metrics/batch";
import { METRICS_MIGRATIONS } from "./schema";

/** How many minutes of YouTube tallies a shard keeps: the alert looks back 15. */
const KEEP_MINUTES = 120;

/** Calls and failures of YouTube calls within a window of minutes. */
export interface YouTubeWindow {
  calls: number;
  errors: number;
}

/**
 * One shard of the Worker's counters (`idFromName("shard-<n>")`): Workers isolates keep nothing
 * across requests, so every request, job batch and Durable Object adds its increments here in one
 * `record()`, and the scrape sums the shards' `snapshot()`s. Sharding spreads the writes; a
 * counter lives in SQLite storage, so an eviction loses nothing.
 */
export class MetricsRecorder extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage.sql, METRICS_MIGRATIONS));
  }

  /** Adds a batch of increments (one storage transaction). */
  record(batch: MetricsData): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const c of batch.counters) {
        if (!Number.isFinite(c.value)) continue;
        sql.exec(
          `INSERT INTO counters (name, labels, value) VALUES (?, ?, ?)
           ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`,
          c.name,
          labelKey(c.labels),
          c.value,
        );
      }
      for (const m of batch.youtubeMinutes) {
        sql.exec(
          `INSERT INTO youtube_minutes (minute, calls, errors) VALUES (?, ?, ?)
           ON CONFLICT (minute) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors`,
          m.minute,
          m.calls,
          m.errors,
        );
      }
      if (batch.youtubeMinutes.length > 0) {
        sql.exec("DELETE FROM youtube_minutes WHERE minute < ?", minuteOf(Date.now()) - KEEP_MINUTES);
      }
    });
  }

  /** Every counter's total in this shard, and the YouTube tallies it keeps. */
  snapshot(): MetricsData {
    const sql = this.ctx.storage.sql;
    const counters = sql
      .exec<{ name: string; labels: string; value: number }>("SELECT name, labels, value FROM counters")
      .toArray()
      .map((row) => ({ name: row.name, labels: labelsOf(row.labels), value: row.value }));
    const youtubeMinutes = sql
      .exec<{ minute: number; calls: number; errors: number }>(
        "SELECT minute, calls, errors FROM youtube_minutes",
      )
      .toArray()
      .map((row) => ({ minute: row.minute, calls: row.calls, errors: row.errors }));
    return { counters, youtubeMinutes };
  }

  /** YouTube calls and failures in minutes `[fromMinute, toMinute]`. */
  youtubeWindow(fromMinute: number, toMinute: number): YouTubeWindow {
    const row = this.ctx.storage.sql
      .exec<{ calls: number | null; errors: number | null }>(
        "SELECT sum(calls) AS calls, sum(errors) AS errors FROM youtube_minutes WHERE minute BETWEEN ? AND ?",
        fromMinute,
        toMinute,
      )
      .one();
    return { calls: row.calls ?? 0, errors: row.errors ?? 0 };
  }
}
