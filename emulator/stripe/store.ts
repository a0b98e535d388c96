import type { StripeObject } from "./objects";

/** Reads and writes the stand-in's objects (whole JSON documents, as the API answers them). */
export class ObjectStore {
  constructor(private readonly sql: SqlStorage) {}

  get<T extends StripeObject>(id: string, object: string): T | undefined {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM objects WHERE id = ? AND object = ?", id, object)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as T) : undefined;
  }

  put(value: StripeObject): void {
    const customer = typeof value.customer === "string" ? value.customer : null;
    this.sql.exec(
      `INSERT INTO objects (id, object, customer, created, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, customer = excluded.customer`,
      value.id,
      value.object,
      customer,
      value.created,
      JSON.stringify(value),
    );
  }

  /**
   * A page of one kind of object, newest first, as Stripe lists them: `limit` (1–100, default 10),
   * `starting_after` an id of the previous page, optionally one customer's only.
   */
  list<T extends StripeObject>(
    object: string,
    url: string,
    options: { limit?: number; startingAfter?: string; customer?: string; filter?: (o: T) => boolean },
  ) {
    const rows = this.sql
      .exec<{ body: string }>(
        `SELECT body FROM objects WHERE object = ? AND (? IS NULL OR customer = ?) ORDER BY created DESC, rowid DESC`,
        object,
        options.customer ?? null,
        options.customer ?? null,
      )
      .toArray()
      .map((r) => JSON.parse(r.body) as T)
      .filter(options.filter ?? (() => true));
    const start = options.startingAfter ? rows.findIndex((o) => o.id === options.startingAfter) + 1 : 0;
    const limit = options.limit ?? 10;
    const data = rows.slice(start, start + limit);
    return { object: "list" as const, data, has_more: start + limit < rows.length, url };
  }
}
