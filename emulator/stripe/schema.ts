/**
 * The Stripe stand-in's SQLite schema (its own Durable Object). Stripe objects are stored whole, as
 * the JSON the API answers (`body`), indexed by what lists filter on; times are Unix seconds, as
 * Stripe's are.
 */
export const STRIPE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE objects (
     id TEXT PRIMARY KEY, object TEXT NOT NULL, customer TEXT, created INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX objects_kind ON objects(object, created);
   CREATE TABLE cards (subscription TEXT PRIMARY KEY, card TEXT NOT NULL);
   CREATE TABLE idempotency (key TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE TABLE deliveries (
     event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, url TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     next_ms INTEGER NOT NULL, delivered INTEGER NOT NULL DEFAULT 0, last_status INTEGER, last_error TEXT);
   CREATE INDEX deliveries_due ON deliveries(delivered, next_ms);
   CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** Tables `reset` empties (the seeded prices come back on the next call). */
export const STRIPE_TABLES = ["objects", "cards", "idempotency", "deliveries", "config"] as const;
