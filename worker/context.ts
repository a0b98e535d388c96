import type { SessionClaims } from "./auth/session";
import type { Db } from "./db/client";
import type { HttpDatabase } from "./db/http";
import type { Logger } from "./logging/logger";
import type { Principal } from "./users/principal";

/** Milliseconds spent per named step of one request, sent back as a `Server-Timing` header. */
export type StepTimings = Map<string, number>;

/** The Hono environment every route shares: bindings, and per-request services on `c.var`. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The request's logger: every line carries the request id. */
    log: Logger;
    /**
     * The request's database for reads: Neon's SQL-over-HTTP (`batch([...])` = one HTTP request,
     * one read-only transaction, no connection to set up). What a read route should use.
     */
    read: () => HttpDatabase;
    /**
     * The request's WebSocket `Pool`, opened on first use and closed after the response: only for
     * interactive transactions (a read, then a write that depends on it, in one transaction) and
     * the writers not yet moved to HTTP. Opening it costs a WebSocket and a Postgres start-up.
     */
    db: () => Db;
    /** Time per step (rate limit, database, …), echoed as `Server-Timing`. */
    timings: StepTimings;
    /** The verified claims of the session token, on routes behind `requireUser`. */
    session?: SessionClaims;
    /**
     * The signed-in user, on routes behind `requireUser` (on a `sessionInRead` route, once its
     * read has confirmed the session).
     */
    user?: Principal;
  };
};
