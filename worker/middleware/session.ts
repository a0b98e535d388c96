import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import {
  issueSessionToken,
  SESSION_COOKIE,
  SESSION_REFRESH_AFTER_SECONDS,
  SESSION_TTL_SECONDS,
  verifySessionToken,
} from "../auth/session";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { loadPrincipal, type Principal } from "../users/principal";
import { timed } from "./init";

/** Sets the session cookie for `principal` (HttpOnly, Secure, SameSite=Lax, `__Host-`). */
export async function startSession(c: Context<AppEnv>, principal: Pick<Principal, "id" | "sessionVersion">) {
  const token = await issueSessionToken(c.env, principal.id, principal.sessionVersion);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** Ends the session in this browser. */
export function endSession(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}

/**
 * Requires a valid session: a token signed by a known key, not expired, whose session version is
 * the user's current one (so "sign out everywhere" and revocation take effect at once). Puts the
 * user on `c.var.user`, and re-issues the cookie once a day so the 30-day expiry slides.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw new AppError("unauthenticated", "Sign in to continue.");
  const claims = await verifySessionToken(c.env, token);
  const principal = claims
    ? await timed(c, "session", () => loadPrincipal(c.env, () => c.var.read().freshReads, claims.userId))
    : null;
  if (!claims || !principal || principal.sessionVersion !== claims.version) {
    endSession(c);
    throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
  }
  c.set("user", principal);
  if (Date.now() / 1000 - claims.issuedAt > SESSION_REFRESH_AFTER_SECONDS) await startSession(c, principal);
  await next();
});

/** Requires the signed-in user to be an admin (after `requireUser`); others get a 404, not a hint. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.user?.role !== "admin") throw new AppError("not_found", "Not found.");
  await next();
});

/** The signed-in user of a route behind `requireUser`. */
export function userOf(c: Context<AppEnv>): Principal {
  const user = c.get("user");
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  return user;
}
