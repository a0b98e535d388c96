import type { NotificationSendJob } from "../notifications/notify";
import type { GoogleRevokeJob } from "../users/delete-account";

/**
 * Every background job, as it travels on the `JOBS` queue. One discriminated union, so the
 * producer and the consumer cannot disagree about a job's shape.
 */
export type JobMessage =
  | { type: "alert.notify"; alertId: number }
  | AlertRaiseJob
  | AlertClearJob
  | GoogleRevokeJob
  | TestFinishedJob
  | ChannelSyncJob
  | ReportingEnsureJob
  | ReachFetchJob
  | TrafficSourcesJob
  | NotificationSendJob;

/** A test ended (completed, stopped, video gone): its owner's dashboard figures are rolled up now. */
export interface TestFinishedJob {
  type: "test.finished";
  testId: string;
  userId: string;
}

/** Re-reads a creator's channel (title, avatar) from YouTube; the daily cron sends one per active creator. */
export interface ChannelSyncJob {
  type: "channel.sync";
  userId: string;
}

/**
 * Makes sure the creator has a Reporting API job for thumbnail impressions (`worker/jobs/reach.ts`):
 * sent at sign-in and when a CTR test starts, so neither waits on YouTube.
 */
export interface ReportingEnsureJob {
  type: "reporting.ensure";
  userId: string;
}

/** Stores a creator's new reach reports (impressions and clicks per video and day); the daily cron sends them. */
export interface ReachFetchJob {
  type: "reach.fetch";
  userId: string;
}

/**
 * Fetches a daily-slot test's views by day and traffic source from YouTube Analytics, for the
 * days final by `asOf` (ms; the cron's time); the daily cron sends one per live or recent test.
 */
export interface TrafficSourcesJob {
  type: "traffic.sources";
  testId: string;
  asOf: number;
}

/**
 * Opens an operator alert (one open row per kind + subject), then notifies it through
 * `alert.notify`. `episode` (e.g. the Pacific day of a quota warning) tells a new episode from a
 * redelivery of the current one.
 */
export interface AlertRaiseJob {
  type: "alert.raise";
  kind: string;
  subject: string;
  severity: "warning" | "critical";
  message: string;
  episode?: string;
  data?: Record<string, unknown>;
}

/** Closes the open alert of kind + subject; with `episode`, only one raised in that episode or before. */
export interface AlertClearJob {
  type: "alert.clear";
  kind: string;
  subject: string;
  episode?: string;
}

export type JobType = JobMessage["type"];

/** Seconds to wait before retry `attempt` (1-based) of a job: exponential, capped, per type. */
export function retryDelaySeconds(type: JobType, attempt: number): number {
  const base: Record<JobType, number> = {
    "alert.notify": 30,
    "alert.raise": 10,
    "alert.clear": 10,
    "google.revoke": 60,
    "test.finished": 10,
    "channel.sync": 300,
    "reporting.ensure": 60,
    "reach.fetch": 300,
    "traffic.sources": 300,
    "notification.send": 60,
  };
  return Math.min(base[type] * 2 ** (attempt - 1), 3_600);
}
