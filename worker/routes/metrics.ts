import { Hono } from "hono";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { EXPOSITION_CONTENT_TYPE } from "../metrics/prometheus";
import { scrapeMetrics } from "../metrics/scrape";
import { tokensMatch } from "../middleware/admin-auth";

/**
 * `GET /api/metrics`: the Prometheus scrape, behind `Authorization: Bearer <METRICS_TOKEN>`.
 * Without a configured token the route does not exist (404), so a deploy that forgot the secret
 * exposes nothing; a missing or wrong token is a 401.
 */
export const metricsRoutes = new Hono<AppEnv>().get("/metrics", async (c) => {
  const expected = c.env.METRICS_TOKEN;
  if (!expected) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!given || !(await tokensMatch(given, expected))) {
    c.header("www-authenticate", 'Bearer realm="metrics"');
    throw new AppError("unauthenticated", "Send Authorization: Bearer <METRICS_TOKEN>");
  }
  const body = await scrapeMetrics(c.env, c.var.db());
  return c.body(body, 200, { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" });
});
