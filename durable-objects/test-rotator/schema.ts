/**
 * The TestRotator's SQLite schema, one entry per version (see `migrateSqlite`). Append only: a
 * deployed object has run every earlier entry.
 */
export const ROTATOR_MIGRATIONS: readonly string[] = [
  `CREATE TABLE journal (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     step TEXT NOT NULL,
     data TEXT NOT NULL DEFAULT '{}'
   )`,
  `CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
   CREATE TABLE slots (
     slot_index INTEGER PRIMARY KEY, variant INTEGER NOT NULL, block INTEGER NOT NULL,
     started_at INTEGER NOT NULL, ended_at INTEGER, views_start INTEGER NOT NULL, views_end INTEGER,
     likes INTEGER, comments INTEGER, copied INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE faults (point TEXT PRIMARY KEY)`,
  `CREATE TABLE days (
     day TEXT PRIMARY KEY, views INTEGER NOT NULL, minutes REAL NOT NULL, impressions INTEGER NOT NULL,
     ctr REAL NOT NULL, copied INTEGER NOT NULL DEFAULT 0
   )`,
  // Impressions and clicks come from the Reporting API's reach reports, views and minutes from the
  // Analytics API, each on its own schedule: a figure not in yet is NULL. (The Analytics API never
  // served impressions, so the old columns' values are dropped.)
  `CREATE TABLE days_v2 (
     day TEXT PRIMARY KEY, views INTEGER, minutes REAL, impressions INTEGER, clicks INTEGER,
     report_created_at INTEGER, copied INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO days_v2 (day, views, minutes, copied) SELECT day, views, minutes, 0 FROM days;
   DROP TABLE days;
   ALTER TABLE days_v2 RENAME TO days`,
];
