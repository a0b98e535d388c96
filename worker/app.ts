import { Hono } from "hono";
import type { AppEnv } from "./context";
import { errorBody, handleError } from "./errors";
import { init } from "./middleware/init";
import { healthRoutes } from "./routes/health";

/** The API: one sub-app per domain, mounted under /api. */
const api = new Hono<AppEnv>().route("/", healthRoutes);

/** The Worker's Hono app. Static assets never reach it (see `run_worker_first` in wrangler.toml). */
export const app = new Hono<AppEnv>()
  .use(init)
  .route("/api", api)
  .notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404),
  )
  .onError(handleError);

/** The API's type, for the SPA's typed `hc` client. */
export type AppType = typeof api;
