import { recordJobsEnqueued } from "../metrics/record";

/** The most messages one `sendBatch` takes. */
const BATCH_LIMIT = 100;

/**
 * Hands jobs to the JOBS queue, in batches of at most 100, and counts them by type. Every producer
 * sends through here or `enqueueJob`. Generic over the job's shape: the union of jobs
 * (`worker/jobs/messages.ts`) is the consumer's, and a producer types the jobs it sends.
 */
export async function enqueueJobs(
  env: Pick<Env, "JOBS" | "METRICS_RECORDER">,
  jobs: readonly { type: string }[],
): Promise<void> {
  for (let i = 0; i < jobs.length; i += BATCH_LIMIT) {
    const chunk = jobs.slice(i, i + BATCH_LIMIT);
    await env.JOBS.sendBatch(chunk.map((body) => ({ body })));
    recordJobsEnqueued(
      env,
      chunk.map((job) => job.type),
    );
  }
}

/** Hands one job to the JOBS queue (a single `send`) and counts it. */
export async function enqueueJob(
  env: Pick<Env, "JOBS" | "METRICS_RECORDER">,
  job: { type: string },
): Promise<void> {
  await env.JOBS.send(job);
  recordJobsEnqueued(env, [job.type]);
}
