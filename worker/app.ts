import { Hono } from "hono";
import type { AppEnv } from "./context";
import { errorBody, handleError } from "./errors";
import { adminAuth } from "./middleware/admin-auth";
import { init } from "./middleware/init";
import { checkOrigin } from "./middleware/origin";
import { limitPerIp, limitPerUser } from "./middleware/rate-limit";
import { requestMetrics } from "./middleware/request-metrics";
import { revalidated } from "./middleware/revalidation";
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
