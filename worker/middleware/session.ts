import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import {
  issueSessionToken,
  SESSION_COOKIE,
  SESSION_REFRESH_AFTER_SECONDS,
  type SessionClaims,
  sessionExpiry,
  verifySessionToken,
} from "../auth/session";
import type { AppEnv } from "../context";
import type { HttpDb, UserReads } from "../db/http";
import { readsFor } from "../db/http";
import { AppError } from "../errors";
import { confirmedPrincipal, loadSessionPrincipal, type Principal, sessionCheck } from "../users/principal";
import { createSession } from "../users/sessions";
import { timed } from "./init";

/** The session a request carries, after `requireUser`: what sign-out revokes. */
type SessionOf = Pick<SessionClaims, "sessionId" | "authTime">;

/** Sets the session cookie (HttpOnly, Secure, SameSite=Lax, `__Host-`), expiring with its token. */
async function setSessionCookie(
  c: Context<AppEnv>,
  principal: Pick<Principal, "id" | "sessionVersion">,
  session: SessionOf,
) {
  const now = Date.now();
  const token = await issueSessionToken(
    c.env,
    { userId: principal.id, version: principal.sessionVersion, ...session },
    now,
  );
  const issuedAt = Math.floor(now / 1000);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: sessionExpiry(session.authTime, issuedAt) - issuedAt,
  });
}

/** Begins a new session for `principal` (at sign-in): a recorded session id, and its cookie. */
export async function startSession(c: Context<AppEnv>, principal: Pick<Principal, "id" | "sessionVersion">) {
  await setSessionCookie(c, principal, await createSession(c.var.db(), principal.id));
}

/** Ends the session in this browser (the cookie only: `revokeSession` ends it everywhere). */
export function endSession(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}

/** The verified claims of the request's session cookie, if it carries a valid one. */
export async function sessionClaimsOf(c: Context<AppEnv>): Promise<SessionClaims | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? verifySessionToken(c.env, token) : null;
}

/**
 * Marks a GET route that checks the session in its own read (`readsOf`): `requireUser` then only
 * verifies the token, and the route's one database batch confirms the session with Postgres, so a
 * signed-in read is one round trip. Only for routes with no effect before that read.
 */
export const sessionInRead: MiddlewareHandler<AppEnv> = async (_c, next) => {
  await next();
};

/** Whether the matched route is a read that checks its session itself (`sessionInRead`). */
function checksSessionInRead(c: Context<AppEnv>): boolean {
  const { method } = c.req;
  return (
    (method === "GET" || method === "HEAD") &&
    matchedRoutes(c).some((route) => route.handler === sessionInRead)
  );
}

/** Refuses the request's session: the cookie goes, and the answer is a 401. */
function refuseSession(c: Context<AppEnv>): never {
  endSession(c);
  throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
}

/**
 * Requires a valid session: a token signed by a known key, within its 30-day and 90-day limits,
 * not signed out, and whose session version is the user's current one (so "sign out everywhere"
 * and revocation take effect at once). Puts the user on `c.var.user` (the principal from the KV
 * cache or Postgres) — or, on a `sessionInRead` route, leaves that to the route's read — and
 * re-issues the cookie once a day so the 30-day expiry slides (never past the absolute end).
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw new AppError("unauthenticated", "Sign in to continue.");
  const claims = await verifySessionToken(c.env, token);
  if (!claims) refuseSession(c);
  c.set("session", claims);
  if (!checksSessionInRead(c)) {
    const principal = await timed(c, "session", () =>
      loadSessionPrincipal(c.env, () => c.var.read().freshReads, claims),
    );
    if (!principal) refuseSession(c);
    c.set("user", principal);
  }
  await next();
  // Only a session that was confirmed and answered is prolonged.
  if (c.var.user && c.res.ok && Date.now() / 1000 - claims.issuedAt > SESSION_REFRESH_AFTER_SECONDS) {
    await setSessionCookie(c, c.var.user, claims);
  }
});

/**
 * The signed-in user's reads on `db`. On a `sessionInRead` route the first batch also confirms the
 * session (one statement more in the same round trip) and refuses it with a 401 before anything
 * read is used; once confirmed, or on any other route, batches run as they are.
 */
export function readsOf(c: Context<AppEnv>, db: HttpDb): UserReads {
  const user = c.var.user;
  if (user) return readsFor(db, user.id);
  const session = c.var.session;
  if (!session) throw new AppError("unauthenticated", "Sign in to continue.");
  const batch: HttpDb["batch"] = async (statements) => {
    if (c.var.user) return db.batch(statements);
    const [check, ...rest] = await db.batch([sessionCheck(db, session), ...statements]);
    const principal = confirmedPrincipal(check, session);
    if (!principal) refuseSession(c);
    c.set("user", principal);
    // The answers of `statements`, in order: what `db.batch(statements)` would have answered.
    return rest as never;
  };
  return { db, userId: session.userId, batch };
}

/** The signed-in user of a route behind `requireUser`. */
export function userOf(c: Context<AppEnv>): Principal {
  const user = c.get("user");
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  return user;
}
