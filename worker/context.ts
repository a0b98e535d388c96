import type { Db } from "./db/client";

/** The Hono environment every route shares: bindings, and per-request services on `c.var`. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The request's database, opened on first use and closed after the response. */
    db: () => Db;
  };
};
