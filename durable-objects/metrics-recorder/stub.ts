/** Shard `n` of the Worker's counters (`shard-<n>`; `METRICS_SHARDS` says how many take writes). */
export function metricsShard(env: Pick<Env, "METRICS_RECORDER">, n: number) {
  return env.METRICS_RECORDER.get(env.METRICS_RECORDER.idFromName(`shard-${n}`));
}
