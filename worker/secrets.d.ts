// Settings that are secrets in production (`wrangler secret put NAME`), so `wrangler types` cannot
// see them in wrangler.toml. Locally, `npm start` and the tests pass them as bindings.
declare namespace Cloudflare {
  interface Env {
    /** Neon's connection string (a plain Postgres one locally). */
    DATABASE_URL?: string;
    /** A read replica's connection string; reads use the primary when unset. */
    DATABASE_URL_READ?: string;
    /** Keyring signing session JWTs (HS256): `{"current":"1","keys":{"1":"<base64url, ≥32 bytes>"}}`. */
    SESSION_KEYS?: string;
    /** Keyring encrypting refresh tokens at rest (AES-256-GCM), same shape as SESSION_KEYS. */
    TOKEN_ENCRYPTION_KEYS?: string;
    /** The app's public origin (e.g. `https://titletesterpro.com`); state-changing requests must come from it. */
    APP_ORIGIN?: string;
    /** Comma-separated e-mails that become admins when they sign in. */
    ADMIN_EMAILS?: string;
    /** Requests per minute per client IP / per signed-in user (defaults 600 / 300). */
    RATE_LIMIT_PER_IP?: string;
    RATE_LIMIT_PER_USER?: string;
    /** Where alert notifications are POSTed (optional). */
    ALERT_WEBHOOK_URL?: string;
    /** Bearer token of `/api/admin/*` until admin sessions exist; admin routes answer 401 without it. */
    ADMIN_API_TOKEN?: string;
    /** Bearer token of `GET /api/metrics` (the Prometheus scrape); the route answers 404 without it. */
    METRICS_TOKEN?: string;
    /** Keyring signing the unsubscribe links of e-mails (HMAC-SHA256), same shape as SESSION_KEYS. */
    MAIL_LINK_KEYS?: string;
    /** The sender of notification e-mails (default `TitleTesterPro <notifications@titletesterpro.com>`). */
    MAIL_FROM?: string;
    /** "on" lets tests and the fault soak inject crashes into TestRotator steps; never set in production. */
    FAULT_INJECTION?: string;
    // Each quota project's OAuth client secret and API key are secrets too, under the names its
    // QuotaProjectConfig gives (`clientSecretRef`, `apiKeyRef`); the ledger reads them by name.
  }
}
