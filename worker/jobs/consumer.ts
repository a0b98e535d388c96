import { deadLetters } from "../../schema";
import { type Db, openDb } from "../db/client";
import { createLogger, errorFields } from "../logging/logger";
import { MetricsBatch } from "../metrics/batch";
import { recordJobProcessed, sendMetrics, withMetrics } from "../metrics/record";
import { sendNotification } from "../notifications/deliver";
import { rollupUserStats } from "../rollups/user-stats";
import { syncChannel } from "../users/channel-sync";
import { revokeGoogleGrant } from "../users/delete-account";
import { notifyAlert } from "./alert-notify";
import { clearAlert, raiseAlert } from "./alerts";
import { type JobMessage, retryDelaySeconds } from "./messages";
import { ensureReportingJob, fetchReach } from "./reach";
import { fetchTrafficSources } from "./traffic-sources";

/** The queue whose messages failed every retry (wrangler.toml `dead_letter_queue`). */
export const DEAD_LETTER_QUEUE = "ttp-jobs-dead";

type Handlers = {
  [T in JobMessage["type"]]: (db: Db, env: Env, job: Extract<JobMessage, { type: T }>) => Promise<void>;
};

const handlers: Handlers = {
  "alert.notify": (db, env, job) => notifyAlert(db, env, job.alertId),
  "alert.raise": (db, env, job) => raiseAlert(db, env, job),
  "alert.clear": (db, _env, job) => clearAlert(db, job),
  "google.revoke": (_db, env, job) => revokeGoogleGrant(env, job.userId, job.refreshTokenEnc),
  "test.finished": async (db, _env, job) => {
    await rollupUserStats(db, job.userId);
  },
  "channel.sync": (db, env, job) => syncChannel(db, env, job.userId),
  "reporting.ensure": async (db, env, job) => {
    await ensureReportingJob(db, env, job.userId);
  },
  "reach.fetch": async (db, env, job) => {
    await fetchReach(db, env, job.userId);
  },
  "traffic.sources": async (db, env, job) => {
    await fetchTrafficSources(db, env, job);
  },
  "notification.send": async (db, env, job) => {
    await sendNotification(db, env, job.event);
  },
};

function isJob(body: unknown): body is JobMessage {
  if (typeof body !== "object" || body === null) return false;
  const type = (body as { type?: unknown }).type;
  return typeof type === "string" && Object.hasOwn(handlers, type);
}

async function runJob(db: Db, env: Env, job: JobMessage): Promise<void> {
  const handler = handlers[job.type] as (db: Db, env: Env, job: JobMessage) => Promise<void>;
  await handler(db, env, job);
}

/**
 * The queue consumer: routes each job to its handler; a failure is retried with the type's
 * backoff until the queue gives it to the dead-letter queue, whose messages are stored.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // One record() per batch for the processed counters (and anything the handlers record).
  const metrics = new MetricsBatch();
  try {
    await withMetrics(metrics, () => consumeBatch(batch, env));
  } finally {
    await sendMetrics(env, metrics);
  }
}

async function consumeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const { db, close } = openDb(env);
  try {
    if (batch.queue === DEAD_LETTER_QUEUE) return await storeDeadLetters(db, env, batch);
    for (const message of batch.messages) {
      if (!isJob(message.body)) {
        // A message no handler knows will never succeed: keep it for the operator instead.
        await storeDeadLetter(db, batch.queue, message);
        message.ack();
        recordJobProcessed(env, "unknown", "dead_letter");
        continue;
      }
      try {
        await runJob(db, env, message.body);
        message.ack();
        recordJobProcessed(env, message.body.type, "ok");
      } catch (err) {
        const delaySeconds = retryDelaySeconds(message.body.type, message.attempts);
        // errorFields, not String(err): a failed query's message carries its parameters.
        log.warn("job failed", {
          job: message.body.type,
          messageId: message.id,
          attempt: message.attempts,
          delaySeconds,
          ...errorFields(err),
        });
        message.retry({ delaySeconds });
        recordJobProcessed(env, message.body.type, "retry");
      }
    }
  } finally {
    await close();
  }
}

async function storeDeadLetter(db: Db, queue: string, message: Message<unknown>): Promise<void> {
  const jobType = isJob(message.body) ? message.body.type : "unknown";
  await db
    .insert(deadLetters)
    .values({ queue, messageId: message.id, jobType, body: message.body ?? null, attempts: message.attempts })
    .onConflictDoNothing({ target: deadLetters.messageId });
}

async function storeDeadLetters(db: Db, env: Env, batch: MessageBatch<unknown>): Promise<void> {
  for (const message of batch.messages) {
    await storeDeadLetter(db, batch.queue, message);
    message.ack();
    recordJobProcessed(env, isJob(message.body) ? message.body.type : "unknown", "dead_letter");
  }
}
