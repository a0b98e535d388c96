/**
 * The QuotaLedger's SQLite schema, one entry per version (see `migrateSqlite`). Append only: a
 * deployed object has run every earlier entry. Days are Pacific day keys (`YYYY-MM-DD`).
 */
export const LEDGER_MIGRATIONS: readonly string[] = [
  // v1 (the skeleton's): projects added through the admin API; configured ones live in QUOTA_PROJECTS.
  `CREATE TABLE projects (
     id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     api_key_ref TEXT NOT NULL,
     daily_limit INTEGER NOT NULL
   )`,
  // v2: the ledger proper.
  `ALTER TABLE projects ADD COLUMN client_secret_ref TEXT NOT NULL DEFAULT '';
   ALTER TABLE projects ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

   -- Units per project per day: used = settled costs + expired grants; reserved = open grants.
   CREATE TABLE usage (
     project_id TEXT NOT NULL,
     day TEXT NOT NULL,
     used INTEGER NOT NULL DEFAULT 0,
     reserved INTEGER NOT NULL DEFAULT 0,
     exhausted_until INTEGER,
     PRIMARY KEY (project_id, day)
   ) WITHOUT ROWID;

   -- Open grants only: a settled or expired grant is deleted, so settling it again finds nothing.
   CREATE TABLE grants (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL,
     day TEXT NOT NULL,
     units INTEGER NOT NULL,
     priority TEXT NOT NULL,
     user_id TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX grants_expires_at ON grants (expires_at);

   -- Units committed per user per day (reserved + settled), for the per-plan cap.
   CREATE TABLE user_usage (
     user_id TEXT NOT NULL,
     day TEXT NOT NULL,
     units INTEGER NOT NULL,
     PRIMARY KEY (user_id, day)
   ) WITHOUT ROWID;

   CREATE TABLE pins (
     user_id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL,
     plan TEXT,
     pinned_at INTEGER NOT NULL
   );
   CREATE INDEX pins_project ON pins (project_id);

   -- Grants, expiries and denials (by reason) per priority per day, for status() and metrics.
   CREATE TABLE band_stats (
     day TEXT NOT NULL,
     priority TEXT NOT NULL,
     outcome TEXT NOT NULL,
     count INTEGER NOT NULL,
     units INTEGER NOT NULL,
     PRIMARY KEY (day, priority, outcome)
   ) WITHOUT ROWID;

   -- Each alert is raised once per subject per day; cleared = its alert.clear was queued.
   CREATE TABLE alert_marks (
     day TEXT NOT NULL,
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     raised_at INTEGER NOT NULL,
     cleared INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (day, kind, subject)
   ) WITHOUT ROWID;

   -- Jobs for the JOBS queue, written with the state that caused them and sent afterwards, so a
   -- failed send is retried by the alarm instead of lost.
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     job TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     sent_at INTEGER
   );
   CREATE INDEX outbox_unsent ON outbox (sent_at, seq);

   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];
