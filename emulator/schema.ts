/**
 * The emulator's SQLite schema (applied by `migrateSqlite` in the Durable Object's constructor).
 * Times: `*_real` columns are real ms since the epoch (tokens, quota, call log); `*_sim` columns
 * are simulated ms (publish dates, title timelines, reporting jobs), see settings.ts.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_real INTEGER NOT NULL);
   CREATE TABLE projects (
     id TEXT PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, client_secret TEXT NOT NULL,
     api_key TEXT NOT NULL UNIQUE, daily_limit INTEGER NOT NULL, redirect_uris TEXT NOT NULL DEFAULT '[]',
     access_token_ttl_seconds INTEGER);
   CREATE TABLE accounts (sub TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, picture TEXT NOT NULL);
   CREATE TABLE channels (
     id TEXT PRIMARY KEY, account_sub TEXT NOT NULL REFERENCES accounts(sub), title TEXT NOT NULL,
     description TEXT NOT NULL, custom_url TEXT NOT NULL, published_sim INTEGER NOT NULL,
     subscriber_count INTEGER NOT NULL);
   CREATE INDEX channels_account ON channels(account_sub);
   CREATE TABLE videos (
     id TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels(id),
     description TEXT NOT NULL, tags TEXT, category_id TEXT NOT NULL,
     default_language TEXT, default_audio_language TEXT, privacy_status TEXT NOT NULL,
     published_sim INTEGER NOT NULL, created_sim INTEGER NOT NULL, duration_seconds INTEGER NOT NULL,
     views_per_day REAL NOT NULL, initial_views INTEGER NOT NULL, seed INTEGER NOT NULL);
   CREATE INDEX videos_channel ON videos(channel_id, published_sim);
   CREATE TABLE titles (
     video_id TEXT NOT NULL, seq INTEGER NOT NULL, title TEXT NOT NULL, set_sim INTEGER NOT NULL,
     effective_sim INTEGER NOT NULL, source TEXT NOT NULL, PRIMARY KEY (video_id, seq));
   CREATE TABLE ctr_overrides (video_id TEXT NOT NULL, title TEXT NOT NULL, ctr REAL NOT NULL, from_sim INTEGER NOT NULL);
   CREATE INDEX ctr_overrides_video ON ctr_overrides(video_id);
   CREATE TABLE auth_codes (
     code TEXT PRIMARY KEY, client_id TEXT NOT NULL, sub TEXT NOT NULL, redirect_uri TEXT NOT NULL,
     scope TEXT NOT NULL, code_challenge TEXT, code_challenge_method TEXT, nonce TEXT,
     offline INTEGER NOT NULL, expires_real INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE tokens (
     token TEXT PRIMARY KEY, kind TEXT NOT NULL, grant_id TEXT NOT NULL, client_id TEXT NOT NULL,
     sub TEXT NOT NULL, scope TEXT NOT NULL, nonce TEXT, expires_real INTEGER, revoked INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX tokens_grant ON tokens(grant_id);
   CREATE INDEX tokens_sub ON tokens(sub);
   CREATE TABLE quota_usage (project_id TEXT NOT NULL, day TEXT NOT NULL, units INTEGER NOT NULL, PRIMARY KEY (project_id, day));
   CREATE TABLE faults (
     method TEXT NOT NULL, project_id TEXT NOT NULL, error_rate REAL NOT NULL, status INTEGER NOT NULL,
     fail_next INTEGER NOT NULL, latency_ms INTEGER NOT NULL, PRIMARY KEY (method, project_id));
   CREATE TABLE calls (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at_real INTEGER NOT NULL, method TEXT NOT NULL,
     project_id TEXT, units INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT,
     video_id TEXT, auth TEXT NOT NULL, sub TEXT);
   CREATE INDEX calls_project ON calls(project_id, id);`,
  // The Reporting API's jobs: one per channel and report type (a second is 409 ALREADY_EXISTS).
  `CREATE TABLE reporting_jobs (
     id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, report_type_id TEXT NOT NULL, name TEXT NOT NULL,
     create_sim INTEGER NOT NULL, UNIQUE (channel_id, report_type_id));`,
];

/** Tables `reset` empties (the signing key stays: clients may have cached the JWKS). */
export const RESETTABLE_TABLES = [
  "settings",
  "projects",
  "accounts",
  "channels",
  "videos",
  "titles",
  "ctr_overrides",
  "auth_codes",
  "tokens",
  "quota_usage",
  "faults",
  "calls",
  "reporting_jobs",
] as const;
