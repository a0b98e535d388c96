/**
 * How one Durable Object stores its outbox rows in its own SQLite table: which columns an entry
 * fills, which holds the time it was written and, for an outbox that keeps what it delivered,
 * which is stamped on delivery. Column names are the object's own constants, never input.
 */
export interface OutboxLayout<T> {
  /** The table (`outbox` in both objects). */
  table: string;
  /** The columns an entry is written to (besides `seq` and `writtenAt`), in `encode`'s order. */
  columns: readonly string[];
  /** The column holding when the entry was written (ms). */
  writtenAt: string;
  /** The column stamped (ms) when an entry is delivered; without one a delivered entry is deleted. */
  sentAt?: string;
  encode(entry: T): SqlStorageValue[];
  decode(row: Record<string, SqlStorageValue>): T;
}

/** One stored entry: `seq` orders entries and makes their delivery idempotent. */
export interface OutboxEntry<T> {
  seq: number;
  at: number;
  entry: T;
  sent: boolean;
}

/**
 * The transactional outbox of a Durable Object: entries are written in the same storage (and so
 * the same transaction) as the state change that caused them, and delivered afterwards; a failed
 * delivery leaves them for the next try. What delivery means (a Postgres copy, a queue send) is
 * the object's; this keeps the rows.
 */
export class SqliteOutbox<T> {
  constructor(
    private readonly sql: SqlStorage,
    private readonly layout: OutboxLayout<T>,
  ) {}

  /** Writes an entry (inside the caller's transaction, if any). */
  add(entry: T, at: number): void {
    const { table, columns, writtenAt } = this.layout;
    const names = [...columns, writtenAt];
    this.sql.exec(
      `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
      ...this.layout.encode(entry),
      at,
    );
  }

  /** Entries not yet delivered, oldest first (at most `limit`). */
  pending(limit?: number): OutboxEntry<T>[] {
    const where = this.layout.sentAt ? `WHERE ${this.layout.sentAt} IS NULL` : "";
    const cap = limit === undefined ? "" : `LIMIT ${Math.floor(limit)}`;
    return this.read(`${where} ORDER BY seq ${cap}`);
  }

  /** How many entries are not yet delivered. */
  countPending(): number {
    const where = this.layout.sentAt ? `WHERE ${this.layout.sentAt} IS NULL` : "";
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${this.layout.table} ${where}`).one().n;
  }

  /** Every stored entry after `seq` (delivered or not), oldest first. */
  after(seq: number): OutboxEntry<T>[] {
    return this.read("WHERE seq > ? ORDER BY seq", seq);
  }

  /** Marks every pending entry up to `seq` delivered: stamped at `at`, or deleted. */
  delivered(seq: number, at: number): void {
    const { table, sentAt } = this.layout;
    if (sentAt)
      this.sql.exec(`UPDATE ${table} SET ${sentAt} = ? WHERE ${sentAt} IS NULL AND seq <= ?`, at, seq);
    else this.sql.exec(`DELETE FROM ${table} WHERE seq <= ?`, seq);
  }

  /** Deletes delivered entries stamped before `before` (an outbox that keeps them). */
  pruneDelivered(before: number): void {
    const { table, sentAt } = this.layout;
    if (sentAt) this.sql.exec(`DELETE FROM ${table} WHERE ${sentAt} IS NOT NULL AND ${sentAt} < ?`, before);
  }

  private read(clause: string, ...bindings: SqlStorageValue[]): OutboxEntry<T>[] {
    const { table, writtenAt, sentAt } = this.layout;
    return this.sql
      .exec(`SELECT * FROM ${table} ${clause}`, ...bindings)
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        at: Number(row[writtenAt]),
        entry: this.layout.decode(row),
        sent: sentAt !== undefined && row[sentAt] !== null,
      }));
  }
}
