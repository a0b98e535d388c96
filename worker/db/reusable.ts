import { fillPlaceholders, type Placeholder, sql } from "drizzle-orm";
import type { HttpDb } from "./http";

/**
 * What drizzle's neon-http `batch` asks of each statement (drizzle-orm 0.45, `NeonHttpSession.batch`):
 * `_prepare()`, then the prepared query's SQL and parameters, and its mapping of the rows back.
 */
interface PreparedStatement {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
  isResponseInArrayMode(): boolean;
}

interface Preparable {
  _prepare(): PreparedStatement;
}

/**
 * A statement of the hot reads, built once per isolate and database with named placeholders and
 * then only given each request's values: building a select (its SQL text, its column list) is the
 * Worker's largest cost on a read after the network, and the text never changes.
 *
 * `build` receives a placeholder per name; the answer makes the statement for a batch, typed as
 * the query `build` returns, with `values` in place of the placeholders (as is: no column encoding,
 * so values are ids and other plain strings or numbers). The statement is for `batch([...])` only:
 * awaited on its own it would not run.
 */
export function reusableStatement<Name extends string, Query>(
  names: readonly Name[],
  build: (db: HttpDb, placeholders: Record<Name, Placeholder<Name>>) => Query,
): (db: HttpDb, values: Record<Name, string | number>) => Query {
  const placeholders = Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as Record<
    Name,
    Placeholder<Name>
  >;
  const prepared = new WeakMap<HttpDb, PreparedStatement>();
  return (db, values) => {
    let statement = prepared.get(db);
    if (!statement) {
      statement = (build(db, placeholders) as Preparable)._prepare();
      prepared.set(db, statement);
    }
    const { sql: text, params } = statement.getQuery();
    const filled = fillPlaceholders(params, values);
    // The prepared statement with this request's parameters; its row mapping is the shared one.
    const withValues: PreparedStatement = Object.create(statement, {
      getQuery: { value: () => ({ sql: text, params: filled }) },
    });
    const item: Preparable = { _prepare: () => withValues };
    return item as Query;
  };
}
