import type { Db } from "./db/client";
import type { Logger } from "./logging/logger";
import type { Principal } from "./users/principal";

/** The Hono environment every route shares: bindings, and per-request services on `c.var`. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The request's logger: every line carries the request id. */
    log: Logger;
    /** The request's database, opened on first use and closed after the response. */
    db: () => Db;
    /** The signed-in user, on routes behind `requireUser`. */
    user?: Principal;
  };
};
