import { Hono } from "hono";
import type { EmulatorAppEnv, EmulatorEnv } from "./env";
import { apiError } from "./google-errors";
import { mailRoutes } from "./mail/routes";
import { toResponse } from "./reply";
import { adminRoutes } from "./routes/admin";
import { googleApiRoutes } from "./routes/google-apis";
import { imageRoutes } from "./routes/images";
import { oauthRoutes } from "./routes/oauth";
import { reportingRoutes } from "./routes/reporting";
import { stripeRoutes } from "./stripe/routes";

export { MailSink } from "./mail/sink";
export { EmulatorState } from "./state";
export { StripeState } from "./stripe/state";

/**
 * The local Google: OAuth 2.0, YouTube Data API v3, Analytics API v2 and Reporting API v1 on
 * Google's paths (all on one origin locally; the app's base URLs point each Google host here),
 * plus the thumbnails and avatars its resources point at, and /__emulator.
 */
const app = new Hono<EmulatorAppEnv>()
  .route("/", oauthRoutes)
  .route("/", googleApiRoutes)
  .route("/", reportingRoutes)
  .route("/", imageRoutes)
  .route("/", mailRoutes)
  .route("/", stripeRoutes)
  .route("/__emulator", adminRoutes)
  .notFound(() => toResponse(apiError(404, "Not Found", { domain: "global", reason: "notFound" })))
  .onError((err) => {
    console.error(JSON.stringify({ level: "error", message: err.message, stack: err.stack }));
    return toResponse(
      apiError(500, "Internal error encountered.", { domain: "global", reason: "internalError" }, "INTERNAL"),
    );
  });

export default { fetch: app.fetch } satisfies ExportedHandler<EmulatorEnv>;
