import { enqueueJobs } from "../queue/send";
import { type NotificationEvent, type NotificationEventInput, normalizeEvent } from "./events";

/** The job that sends one notification (`worker/notifications/deliver.ts` handles it). */
export interface NotificationSendJob {
  type: "notification.send";
  event: NotificationEvent;
}

/**
 * The one way to notify a creator: checks each event and hands it to the queue, which sends the
 * mail with retries. Safe to call again for the same event (after a crash, a redelivery): the
 * event's key lets only one mail out. Billing calls it with
 * `{ kind: "payment_failed", userId, graceEndsAt }` and `{ kind: "test_paused", testId, reason: "plan_downgrade" }`.
 */
export async function notify(
  env: Pick<Env, "JOBS" | "METRICS_RECORDER">,
  ...events: NotificationEventInput[]
): Promise<void> {
  if (events.length === 0) return;
  const jobs: NotificationSendJob[] = events.map((e) => ({
    type: "notification.send",
    event: normalizeEvent(e),
  }));
  await enqueueJobs(env, jobs);
}
