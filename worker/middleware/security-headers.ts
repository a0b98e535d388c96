import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { type HeaderMode, securityHeaders } from "./security-policy";

/** The headers of each mode, built once per isolate rather than on every response. */
const HEADERS: Record<HeaderMode, [string, string][]> = {
  production: Object.entries(securityHeaders("production")),
  development: Object.entries(securityHeaders("development")),
};

/**
 * Adds the security headers to every response the Worker makes (the API, and the SPA when a
 * request reaches the Worker), keeping any header a response set itself. Static assets served
 * without the Worker get the same from the `_headers` file the SPA build writes.
 */
export const applySecurityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = HEADERS[c.env.ENVIRONMENT === "production" ? "production" : "development"];
  // A response from the assets binding has immutable headers: copy it before adding ours.
  let res = c.res;
  for (const [name, value] of headers) {
    if (res.headers.has(name)) continue;
    try {
      res.headers.set(name, value);
    } catch {
      res = new Response(res.body, res);
      res.headers.set(name, value);
    }
  }
  if (res !== c.res) c.res = res;
});
