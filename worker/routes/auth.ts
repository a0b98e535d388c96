import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import {
  claimState,
  OAUTH_COOKIE,
  OAUTH_TTL_SECONDS,
  openAttempt,
  RETURN_PATH_MAX,
  returnPathOf,
  sealAttempt,
} from "../auth/oauth-state";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { appOrigin } from "../middleware/origin";
import { endSession, requireUser, sessionClaimsOf, startSession, userOf } from "../middleware/session";
import { resumeAfterReconnect } from "../title-tests/reconnect";
import { bumpSessionVersion, revokeSession } from "../users/sessions";
import { beginSignIn, completeSignIn, EmailInUseError } from "../users/sign-in";
import { validate } from "../validation";
import { YouTubeError } from "../youtube";

/** Remembers which quota project a browser signed in with, so a returning user keeps it. */
const PROJECT_HINT_COOKIE = "__Host-ttp_project";

const startQuery = z.object({
  // Refused here (400) rather than replaced later: a link that asks for another site is an attack.
  returnTo: z
    .string()
    .max(RETURN_PATH_MAX)
    .refine((path) => returnPathOf(path) !== null, "must be a path of this app")
    .optional(),
  // For tests and the local emulator: picks the account without a click.
  login_hint: z.string().max(320).optional(),
});

const callbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
});

/** Sign in with Google (authorization code + PKCE), and sign out. */
export const authRoutes = new Hono<AppEnv>()
  .get("/google/start", validate("query", startQuery), async (c) => {
    const query = c.req.valid("query");
    const origin = appOrigin(c);
    const { url, attempt } = await beginSignIn(c.env, {
      origin,
      returnTo: query.returnTo,
      projectHint: getCookie(c, PROJECT_HINT_COOKIE),
      loginHint: query.login_hint,
    });
    setCookie(c, OAUTH_COOKIE, await sealAttempt(c.env, attempt), {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: OAUTH_TTL_SECONDS,
    });
    return c.redirect(url, 302);
  })
  .get("/google/callback", validate("query", callbackQuery), async (c) => {
    const query = c.req.valid("query");
    const attempt = await openAttempt(c.env, getCookie(c, OAUTH_COOKIE));
    deleteCookie(c, OAUTH_COOKIE, { path: "/", secure: true });
    if (!attempt)
      throw new AppError("bad_request", "This sign-in has expired or was started elsewhere. Start again.");
    if (!query.state || query.state !== attempt.state) {
      throw new AppError(
        "bad_request",
        "The sign-in response does not match this browser's sign-in. Start again.",
      );
    }
    if (!(await claimState(c.env.CACHE, attempt.state)))
      throw new AppError("bad_request", "This sign-in was already used. Start again.");
    // Google answers a refusal with `error` and no code; an `error` of any value, even empty, is one.
    if (query.error !== undefined || !query.code)
      return c.redirect(`/?signin=${encodeURIComponent(query.error || "cancelled")}`, 302);

    let principal: Awaited<ReturnType<typeof completeSignIn>>;
    try {
      principal = await completeSignIn(c.env, c.var.db(), attempt, query.code, appOrigin(c));
    } catch (err) {
      // Not a fault of the request: the landing page explains it (see EmailInUseError).
      if (err instanceof EmailInUseError) return c.redirect("/?signin=email_in_use", 302);
      if (
        err instanceof YouTubeError &&
        ["auth_revoked", "invalid_request", "forbidden"].includes(err.kind)
      ) {
        throw new AppError(
          "bad_request",
          `Google did not accept this sign-in (${err.message}). Start again.`,
        );
      }
      if (err instanceof YouTubeError && err.kind === "not_found") {
        throw new AppError(
          "unprocessable",
          "This Google account has no YouTube channel. Create one, then sign in again.",
        );
      }
      throw err;
    }
    // A fresh grant: the tests that stopped for want of one go on by themselves.
    await resumeAfterReconnect(c.env, c.var.db(), principal.id);
    await startSession(c, principal);
    setCookie(c, PROJECT_HINT_COOKIE, attempt.project, {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: 365 * 24 * 3600,
    });
    return c.redirect(attempt.returnTo, 302);
  })
  .post("/logout", async (c) => {
    // The session itself ends, not just this browser's cookie: a copied token dies with it.
    const claims = await sessionClaimsOf(c);
    if (claims) await revokeSession(c.var.db(), c.env, claims.userId, claims.sessionId);
    endSession(c);
    return c.body(null, 204);
  })
  .post("/logout-all", requireUser, async (c) => {
    await bumpSessionVersion(c.var.db(), c.env, userOf(c).id);
    endSession(c);
    return c.body(null, 204);
  });
