import { type Context, Hono, type MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import { toHex } from "./auth/keyring";
import type { AppEnv } from "./context";
import { errorBody, handleError } from "./errors";
import { adminAuth } from "./middleware/admin-auth";
import { init } from "./middleware/init";
import { checkOrigin } from "./middleware/origin";
import { limitPerIp, limitPerUser } from "./middleware/rate-limit";
import { requestMetrics } from "./middleware/request-metrics";
import { applySecurityHeaders } from "./middleware/security-headers";
import { requireUser } from "./middleware/session";
import { adminOperationsRoutes } from "./routes/admin-operations";
import { adminQuotaRoutes } from "./routes/admin-quota";
import { adminUserRoutes } from "./routes/admin-users";
import { authRoutes } from "./routes/auth";
import { billingRoutes, billingWebhookRoutes } from "./routes/billing";
import { dashboardRoutes } from "./routes/dashboard";
import { devRoutes } from "./routes/dev";
import { healthRoutes } from "./routes/health";
import { meRoutes } from "./routes/me";
import { metricsRoutes } from "./routes/metrics";
import { notificationRoutes } from "./routes/notifications";
import { testRoutes } from "./routes/tests";
import { videoRoutes } from "./routes/videos";

const etagged = etag();

/**
 * Tags a successful answer with the SHA-1 of its body, as `etag()` would, but reading the body in
 * one native call: `etag()` reads it chunk by chunk in JavaScript, 3.5–8 % of the Worker's
 * JavaScript time in profiles of a results read.
 */
async function tagBody(c: Context<AppEnv>): Promise<void> {
  if (!c.res.ok || !c.res.body || c.res.headers.has("etag")) return;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", await c.res.clone().arrayBuffer()));
  c.res.headers.set("etag", `"${toHex(digest)}"`);
}

/**
 * API GETs answer an ETag (a hash of the body) and a 304 to a matching If-None-Match. They are
 * per user, so `private, no-cache`: browsers revalidate every time, shared caches keep nothing.
 * Sign-in redirects are left alone; a route that set its own Cache-Control (CSV: no-store) keeps it.
 */
const revalidated: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== "GET" || c.req.path.startsWith("/api/auth/")) return next();
  return etagged(c, async () => {
    await next();
    await tagBody(c);
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "private, no-cache");
    c.res.headers.append("vary", "Cookie");
  });
};

/** The API: one sub-app per domain, mounted under /api. */
const api = new Hono<AppEnv>()
  .use(limitPerIp, checkOrigin, revalidated)
  .route("/", healthRoutes)
  .route("/", metricsRoutes)
  .route("/auth", authRoutes)
  .route("/", notificationRoutes)
  .use("/me", requireUser, limitPerUser)
  .use("/videos/*", requireUser, limitPerUser)
  .use("/tests/*", requireUser, limitPerUser)
  .use("/dashboard", requireUser, limitPerUser)
  .use("/billing/*", requireUser, limitPerUser)
  .use("/billing", requireUser, limitPerUser)
  .route("/", meRoutes)
  .route("/", videoRoutes)
  .route("/", testRoutes)
  .route("/", dashboardRoutes)
  .route("/dev", devRoutes)
  .route("/", billingRoutes)
  .use("/admin/*", adminAuth)
  .route("/admin", adminQuotaRoutes)
  .route("/admin", adminOperationsRoutes)
  .route("/admin", adminUserRoutes);

/**
 * The Worker's Hono app. The CDN serves the SPA without waking the Worker (`run_worker_first`
 * covers only /api/*); a non-API request that does reach it is handed to the assets all the same.
 */
export const app = new Hono<AppEnv>()
  .use(init, applySecurityHeaders, requestMetrics)
  .route("/api/billing/webhook", billingWebhookRoutes)
  .route("/api", api)
  .notFound((c) => {
    if (!c.req.path.startsWith("/api/")) return c.env.ASSETS.fetch(c.req.raw);
    return c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404);
  })
  .onError(handleError);

/** The API's type, for the SPA's typed `hc` client. */
export type AppType = typeof api;
