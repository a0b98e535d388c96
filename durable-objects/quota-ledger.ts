import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../worker/durable/sqlite-migrations";

const MIGRATIONS = [
  `CREATE TABLE projects (
     id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     api_key_ref TEXT NOT NULL,
     daily_limit INTEGER NOT NULL
   )`,
];

/**
 * The central ledger of YouTube API quota (`idFromName("global")`): every call that costs units is
 * granted here first. See DESIGN §3.
 */
export class QuotaLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage.sql, MIGRATIONS));
  }

  /** Answers at once: readiness checks and RPC benchmarks call it. */
  ping(): "pong" {
    return "pong";
  }
}
