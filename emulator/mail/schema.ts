/** The mail sink's SQLite schema (applied by `migrateSqlite` in its Durable Object's constructor). */
export const MAIL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE mails (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at_real INTEGER NOT NULL,
     idempotency_key TEXT UNIQUE, payload TEXT NOT NULL, from_addr TEXT NOT NULL, to_json TEXT NOT NULL,
     subject TEXT NOT NULL, text TEXT, html TEXT, headers_json TEXT NOT NULL);`,
];
