/**
 * The MetricsRecorder's SQLite schema, one entry per version (see `migrateSqlite`). Append only: a
 * deployed shard has run every earlier entry.
 */
export const METRICS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE counters (
     name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,
     PRIMARY KEY (name, labels)
   );
   CREATE TABLE youtube_minutes (
     minute INTEGER PRIMARY KEY, calls INTEGER NOT NULL, errors INTEGER NOT NULL
   )`,
];
