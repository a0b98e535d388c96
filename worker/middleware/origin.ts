import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests from other sites (CSRF): a POST, PATCH, PUT or DELETE that
 * carries cookies must carry an `Origin` equal to this app's. SameSite=Lax cookies already stop
 * most of it; this closes the rest (same-site subdomains, old browsers). Requests without cookies
 * (operators' scripts with a bearer token) carry no ambient authority to abuse.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method) && c.req.header("cookie")) {
    const origin = c.req.header("origin");
    const allowed = c.env.APP_ORIGIN ?? new URL(c.req.url).origin;
    if (origin !== allowed) {
      throw new AppError("forbidden", "This request must come from the TitleTesterPro app.");
    }
  }
  await next();
});
