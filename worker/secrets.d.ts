// Settings that are secrets in production (`wrangler secret put NAME`), so `wrangler types` cannot
// see them in wrangler.toml. Locally, `npm start` and the tests pass them as bindings.
declare namespace Cloudflare {
  interface Env {
    /** Neon's connection string (a plain Postgres one locally). */
    DATABASE_URL?: string;
    /** A read replica's connection string; reads use the primary when unset. */
    DATABASE_URL_READ?: string;
    /** Where alert notifications are POSTed (optional). */
    ALERT_WEBHOOK_URL?: string;
  }
}
