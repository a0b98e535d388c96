/**
 * Brings a Durable Object's SQLite storage to the newest schema: `migrations[i]` takes the schema
 * from version i to i + 1, and the version reached is stored in the same storage. Call it inside
 * `blockConcurrencyWhile` in the constructor, so no request sees a half-migrated object.
 */
export function migrateSqlite(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0];
  const current = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO _schema (version) VALUES (0)");
  for (let version = current; version < migrations.length; version++) {
    sql.exec(migrations[version] as string);
    sql.exec("UPDATE _schema SET version = ?", version + 1);
  }
}
