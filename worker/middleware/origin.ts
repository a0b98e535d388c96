import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * This app's public origin: `APP_ORIGIN`. Outside production an unset one falls back to the
 * request's own origin (`npm start`, the tests on free ports). Production never trusts the
 * request for it — the Host header would pick Google's `redirect_uri` and the CSRF check's
 * answer — and refuses, clearly, to sign anyone in or change anything until it is set.
 */
export function appOrigin(c: Context<AppEnv>): string {
  const configured = c.env.APP_ORIGIN?.trim();
  if (configured) return new URL(configured).origin;
  if (c.env.ENVIRONMENT === "production") {
    throw new AppError(
      "not_ready",
      "TitleTesterPro is not configured: APP_ORIGIN (the app's public origin) must be set in production.",
    );
  }
  return new URL(c.req.url).origin;
}

/**
 * Refuses state-changing requests from other sites (CSRF): a POST, PATCH, PUT or DELETE that
 * carries cookies must carry an `Origin` equal to this app's. SameSite=Lax cookies already stop
 * most of it; this closes the rest (same-site subdomains, old browsers). Requests without cookies
 * (operators' scripts with a bearer token) carry no ambient authority to abuse.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method) && c.req.header("cookie")) {
    if (c.req.header("origin") !== appOrigin(c)) {
      throw new AppError("forbidden", "This request must come from the TitleTesterPro app.");
    }
  }
  await next();
});
