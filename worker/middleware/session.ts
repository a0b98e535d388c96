import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import {
  issueSessionToken,
  SESSION_COOKIE,
  SESSION_REFRESH_AFTER_SECONDS,
  type SessionClaims,
  sessionExpiry,
  verifySessionToken,
} from "../auth/session";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { loadSessionPrincipal, type Principal } from "../users/principal";
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
 * Requires a valid session: a token signed by a known key, within its 30-day and 90-day limits,
 * not signed out, and whose session version is the user's current one (so "sign out everywhere"
 * and revocation take effect at once). Puts the user on `c.var.user`, and re-issues the cookie
 * once a day so the 30-day expiry slides (never past the absolute end).
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw new AppError("unauthenticated", "Sign in to continue.");
  const claims = await verifySessionToken(c.env, token);
  const principal = claims
    ? await timed(c, "session", () => loadSessionPrincipal(c.env, () => c.var.read().freshReads, claims))
    : null;
  if (!claims || !principal) {
    endSession(c);
    throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
  }
  c.set("user", principal);
  if (Date.now() / 1000 - claims.issuedAt > SESSION_REFRESH_AFTER_SECONDS) {
    await setSessionCookie(c, principal, claims);
  }
  await next();
});

/** The signed-in user of a route behind `requireUser`. */
export function userOf(c: Context<AppEnv>): Principal {
  const user = c.get("user");
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  return user;
}
