import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { openDb } from "../db/client";
import { type HttpDatabase, openHttpDb } from "../db/http";
import { createLogger } from "../logging/logger";

/**
 * Two databases per request, both lazy. Reads use `c.var.read` (HTTP): every statement or batch is
 * one `fetch`, with nothing to open or close, which is what a request that only reads should pay.
 * `c.var.db` stays the WebSocket Pool because an interactive transaction (lock a row, read, then
 * write depending on what was read) cannot be expressed as one HTTP batch; making the default HTTP
 * would silently turn every such `transaction()` into an error, so the Pool stays the default and
 * read routes opt into HTTP explicitly.
 */
export const init = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("log", createLogger({ requestId }));
  const timings = new Map<string, number>();
  c.set("timings", timings);
  let opened: ReturnType<typeof openDb> | undefined;
  c.set("db", () => {
    opened ??= openDb(c.env);
    return opened.db;
  });
  let http: HttpDatabase | undefined;
  c.set("read", () => {
    http ??= openHttpDb(c.env);
    return http;
  });
  const started = performance.now();
  try {
    await next();
  } finally {
    c.header("x-request-id", requestId);
    c.header("server-timing", serverTiming(timings, performance.now() - started));
    if (opened) c.executionCtx.waitUntil(opened.close());
  }
});

/**
 * Runs `step` and adds its duration to the request's timings under `name`. In Workers the clock
 * advances only across I/O, so what this measures is the I/O wait of the step (database, Durable
 * Object), which is the part worth seeing.
 */
export async function timed<T>(c: Context<AppEnv>, name: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    const timings = c.var.timings;
    // A context without `init` (a sub-app called on its own) has no timings to add to.
    if (timings) timings.set(name, (timings.get(name) ?? 0) + performance.now() - started);
  }
}

/** `Server-Timing: limit;dur=1.2, db;dur=8.0, total;dur=10.4` (names are fixed strings, never input). */
function serverTiming(timings: ReadonlyMap<string, number>, total: number): string {
  const steps = [...timings].map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`);
  return [...steps, `total;dur=${total.toFixed(1)}`].join(", ");
}
