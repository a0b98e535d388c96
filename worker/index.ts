import { app } from "./app";
import { runScheduled } from "./cron";
import { consumeJobs } from "./jobs/consumer";
import type { JobMessage } from "./jobs/messages";

export { MetricsRecorder } from "../durable-objects/metrics-recorder/metrics-recorder";
export { QuotaLedger } from "../durable-objects/quota-ledger/quota-ledger";
export { RateLimiter } from "../durable-objects/rate-limiter/rate-limiter";
export { TestRotator } from "../durable-objects/test-rotator/test-rotator";
export { VideoPoller } from "../durable-objects/video-poller/video-poller";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, env)),
  queue: (batch, env) => consumeJobs(batch, env),
} satisfies ExportedHandler<Env, JobMessage>;
