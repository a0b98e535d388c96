/**
 * Every background job, as it travels on the `JOBS` queue. One discriminated union, so the
 * producer and the consumer cannot disagree about a job's shape.
 */
export type JobMessage = { type: "alert.notify"; alertId: number };

export type JobType = JobMessage["type"];

/** Seconds to wait before retry `attempt` (1-based) of a job: exponential, capped, per type. */
export function retryDelaySeconds(type: JobType, attempt: number): number {
  const base: Record<JobType, number> = { "alert.notify": 30 };
  return Math.min(base[type] * 2 ** (attempt - 1), 3_600);
}
