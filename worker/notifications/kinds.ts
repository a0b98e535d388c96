/**
 * The e-mails a creator can get, apart from everything else so that the SPA and the schema can
 * import them without drizzle or the Workers runtime.
 */

/** Every kind of notification, as preferences name them. */
export const notificationKinds = [
  "test_winner",
  "test_inconclusive",
  "test_paused",
  "payment_failed",
  "weekly_digest",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Which kinds a creator gets while they have said nothing: all but the weekly digest. */
export const defaultPreferences: Readonly<Record<NotificationKind, boolean>> = {
  test_winner: true,
  test_inconclusive: true,
  test_paused: true,
  payment_failed: true,
  weekly_digest: false,
};

/** A creator's choices: one switch per kind. */
export type NotificationPreferences = Record<NotificationKind, boolean>;

/** What the account page says of each kind. */
export const kindLabels: Readonly<Record<NotificationKind, string>> = {
  test_winner: "A test found its winner",
  test_inconclusive: "A test ended without a winner",
  test_paused: "A test paused and needs you",
  payment_failed: "A payment failed",
  weekly_digest: "Weekly digest of your tests",
};

/** Why a test paused for its creator (a plan downgrade comes from billing). */
export const pauseReasons = ["title_edited", "google_access_lost", "quota_wait", "plan_downgrade"] as const;
export type PauseReason = (typeof pauseReasons)[number];
