import { neon } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "../../schema";
import { useLocalSqlEndpoint } from "./driver";

/** What the HTTP database needs from the environment. */
export interface HttpDbEnv {
  DATABASE_URL?: string;
  DATABASE_URL_READ?: string;
  DB_WS_PROXY?: string;
}

/** A drizzle database over Neon's SQL-over-HTTP, bound to the schema. */
export type HttpDb = NeonHttpDatabase<typeof schema>;

/** The HTTP databases of one request: nothing to open or close, every call is one `fetch`. */
export interface HttpDatabase {
  /** The primary: single statements, and `batch([...])`es that write (one transaction each). */
  db: HttpDb;
  /**
   * For reads: the replica when `DATABASE_URL_READ` is set, else the primary. Its batches run as
   * read-only repeatable-read transactions, so a batch of reads sees one snapshot (under Postgres'
   * default, read committed, each statement would see its own) and can never write.
   */
  reads: HttpDb;
  /**
   * Read-only on the primary: for reads a creator expects to include what they just changed
   * (a test they just created, its results), which a lagging replica could miss.
   */
  freshReads: HttpDb;
}

/**
 * Reads made for one signed-in user: their id, and how a batch of statements runs for them. A
 * route whose session is checked in its own read gets a `batch` that adds the check to the same
 * round trip (`worker/middleware/session.ts`); elsewhere `batch` is the database's own.
 */
export interface UserReads {
  db: HttpDb;
  userId: string;
  batch: HttpDb["batch"];
}

/** Reads for a user whose session is already checked (or for a job acting for them). */
export function readsFor(db: HttpDb, userId: string): UserReads {
  return { db, userId, batch: (statements) => db.batch(statements) };
}

/** How read batches run: one snapshot, no writes. */
const READS = { readOnly: true, isolationLevel: "RepeatableRead" } as const;

/**
 * The databases of this isolate, by connection settings. Unlike a WebSocket Pool, a drizzle
 * instance over `neon()` holds no connection and no I/O object: each query is a `fetch` made in the
 * calling request's own context, so one instance serves every request of the isolate (building one
 * means walking the whole schema, which every request used to pay).
 */
const opened = new Map<string, HttpDatabase>();

/**
 * Opens the database over HTTP: each statement, or each `batch([...])` of several, is one HTTP
 * request and one round trip, with no connection to set up first — the cheap path for a request's
 * reads. Locally `DB_WS_PROXY` points the driver at the proxy's `POST /sql` (scripts/db-proxy.ts);
 * on Neon the driver's default endpoint is right. Interactive transactions need `openDb` (db/client.ts).
 */
export function openHttpDb(env: HttpDbEnv): HttpDatabase {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
  if (env.DB_WS_PROXY) useLocalSqlEndpoint(env.DB_WS_PROXY);
  const key = JSON.stringify([env.DATABASE_URL, env.DATABASE_URL_READ, env.DB_WS_PROXY]);
  const known = opened.get(key);
  if (known) return known;
  const db = drizzle({ client: neon(env.DATABASE_URL), schema });
  const reads = drizzle({ client: neon(env.DATABASE_URL_READ ?? env.DATABASE_URL, READS), schema });
  const freshReads = env.DATABASE_URL_READ
    ? drizzle({ client: neon(env.DATABASE_URL, READS), schema })
    : reads;
  const databases = { db, reads, freshReads };
  opened.set(key, databases);
  return databases;
}
