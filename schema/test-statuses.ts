/**
 * A test's statuses, apart from the tables so that the SPA can import them without drizzle.
 */

/** Every status a test can be in; the TestRotator is the only writer of the running ones. */
export const testStatuses = [
  "draft",
  "scheduled",
  "running",
  "paused",
  "paused_drift",
  "needs_reauth",
  "video_missing",
  "completed",
  "stopped",
] as const;
export type TestStatus = (typeof testStatuses)[number];

/** Statuses in which a test holds its video: at most one such test per video. */
export const liveTestStatuses = [
  "scheduled",
  "running",
  "paused",
  "paused_drift",
  "needs_reauth",
] as const satisfies readonly TestStatus[];

/** Statuses in which a test is over and its video free again (it may be deleted). */
export const finishedTestStatuses = [
  "completed",
  "stopped",
  "video_missing",
] as const satisfies readonly TestStatus[];
