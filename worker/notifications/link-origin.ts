/** Where `npm start` serves the app, for mails sent locally without APP_ORIGIN. */
const LOCAL_APP_ORIGIN = "http://127.0.0.1:8787";

/**
 * The origin of the links in mails. Mails are sent from queue jobs, with no request to take an
 * origin from: `APP_ORIGIN`, as for sign-in (worker/middleware/origin.ts); outside production the
 * local stack's address when it is unset. Production refuses to send a mail with no link: the job
 * fails and is retried until APP_ORIGIN is set (or kept as a dead letter).
 */
export function mailLinkOrigin(env: { APP_ORIGIN?: string; ENVIRONMENT?: string }): string {
  const configured = env.APP_ORIGIN?.trim();
  if (configured) return new URL(configured).origin;
  if (env.ENVIRONMENT === "production") throw new Error("APP_ORIGIN must be set to send mails in production");
  return LOCAL_APP_ORIGIN;
}
