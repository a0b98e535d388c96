/**
 * Metrics as they travel from where they happen to the MetricsRecorder: counters keyed by name +
 * labels, and per-minute tallies of YouTube calls (for the error-rate alert). A histogram
 * observation is stored as counters too (`_bucket` by `le`, not yet cumulative, `_sum`, `_count`),
 * so the recorder keeps one table and the scrape rebuilds the histogram.
 */

/** Label names to values; every value comes from a closed set, never from user input. */
export type Labels = Record<string, string>;

/** One counter's increment (in a batch) or total (in a snapshot). */
export interface CounterSample {
  name: string;
  labels: Labels;
  value: number;
}

/** YouTube calls that finished within one minute (`minute` = ms since epoch / 60 000). */
export interface YouTubeMinute {
  minute: number;
  calls: number;
  errors: number;
}

/** What `MetricsRecorder.record()` takes and `snapshot()` gives: plain data, fit for RPC. */
export interface MetricsData {
  counters: CounterSample[];
  youtubeMinutes: YouTubeMinute[];
}

/** The key of a label set: its entries sorted by name, as JSON (the recorder stores it as is). */
export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Parses what `labelKey` wrote. */
export function labelsOf(key: string): Labels {
  return Object.fromEntries(JSON.parse(key) as [string, string][]);
}

/** The minute of a timestamp, as the YouTube window counts it. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000);
}

/** Accumulates increments in memory; one batch is sent per request, job batch or cron run. */
export class MetricsBatch {
  private readonly counters = new Map<string, CounterSample>();
  private readonly minutes = new Map<number, YouTubeMinute>();

  /** Adds `by` to a counter. */
  count(name: string, labels: Labels, by = 1): void {
    const key = `${name}\u0000${labelKey(labels)}`;
    const sample = this.counters.get(key);
    if (sample) sample.value += by;
    else this.counters.set(key, { name, labels, value: by });
  }

  /** Records one observation of a histogram with upper bounds `bounds` (`+Inf` implied). */
  observe(name: string, labels: Labels, value: number, bounds: readonly number[]): void {
    const le = bounds.find((bound) => value <= bound);
    this.count(`${name}_bucket`, { ...labels, le: le === undefined ? "+Inf" : String(le) });
    this.count(`${name}_sum`, labels, value);
    this.count(`${name}_count`, labels);
  }

  /** Tallies one YouTube call in the minute it finished. */
  youtubeCall(at: number, failed: boolean): void {
    const minute = minuteOf(at);
    const tally = this.minutes.get(minute) ?? { minute, calls: 0, errors: 0 };
    tally.calls += 1;
    if (failed) tally.errors += 1;
    this.minutes.set(minute, tally);
  }

  /** Adds everything of `data` (a shard's snapshot, or another batch). */
  add(data: MetricsData): this {
    for (const c of data.counters) this.count(c.name, c.labels, c.value);
    for (const m of data.youtubeMinutes) {
      const tally = this.minutes.get(m.minute) ?? { minute: m.minute, calls: 0, errors: 0 };
      tally.calls += m.calls;
      tally.errors += m.errors;
      this.minutes.set(m.minute, tally);
    }
    return this;
  }

  /** Nothing recorded yet. */
  get empty(): boolean {
    return this.counters.size === 0 && this.minutes.size === 0;
  }

  /** The batch as plain data. */
  data(): MetricsData {
    return { counters: [...this.counters.values()], youtubeMinutes: [...this.minutes.values()] };
  }
}
