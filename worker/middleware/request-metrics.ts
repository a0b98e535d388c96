import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { METHOD_NAME_ALL } from "hono/router";
import type { AppEnv } from "../context";
import { MetricsBatch } from "../metrics/batch";
import { FAMILIES, HTTP_DURATION_BUCKETS } from "../metrics/families";
import { queueMetrics, withMetrics } from "../metrics/record";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The route label: the pattern of the handler Hono matched (`/api/tests/:id`), never the raw path,
 * so label values stay a closed set. Middleware (registered for every method) is skipped: a 401
 * from `requireUser` still counts under the route it guarded. No handler: `unmatched`.
 */
function routeOf(c: Context<AppEnv>): string {
  return matchedRoutes(c).find((route) => route.method !== METHOD_NAME_ALL)?.path ?? "unmatched";
}

/**
 * Counts every request by route, method and status, observes its latency, and writes one JSON log
 * line (route pattern and path, never the query string: OAuth codes and states travel there). The
 * increments, and YouTube calls made while answering, join the isolate's pending counts, sent to the
 * MetricsRecorder at most every few seconds after a response (`waitUntil`, `queueMetrics`), so a
 * slow or failing recorder never delays or breaks a request, and most requests make no DO call.
 */
export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  const batch = new MetricsBatch();
  const started = Date.now();
  try {
    await withMetrics(batch, next);
  } finally {
    const seconds = (Date.now() - started) / 1000;
    const route = routeOf(c);
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const status = c.res.status;
    batch.count(FAMILIES.httpRequests.name, { route, method, status: String(status) });
    batch.observe(FAMILIES.httpDuration.name, { route }, seconds, HTTP_DURATION_BUCKETS);
    // The named steps' milliseconds (as in `Server-Timing`), so a slow request says where it waited.
    const steps = Object.fromEntries([...c.var.timings].map(([name, ms]) => [name, Math.round(ms)]));
    c.var.log.info("request", {
      method,
      route,
      path: c.req.path,
      status,
      durationMs: Date.now() - started,
      steps,
    });
    const sending = queueMetrics(c.env, batch);
    try {
      c.executionCtx.waitUntil(sending);
    } catch {
      // No execution context (the app called directly): the send simply runs on its own.
    }
  }
});
