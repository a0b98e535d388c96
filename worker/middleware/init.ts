import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { openDb } from "../db/client";
import { createLogger } from "../logging/logger";

/**
 * Puts the request's services on the context: an id (echoed as `x-request-id`), a logger whose
 * lines carry it, and a database opened on first use and closed after the response.
 */
export const init = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("log", createLogger({ requestId }));
  let opened: ReturnType<typeof openDb> | undefined;
  c.set("db", () => {
    opened ??= openDb(c.env);
    return opened.db;
  });
  try {
    await next();
  } finally {
    c.header("x-request-id", requestId);
    if (opened) c.executionCtx.waitUntil(opened.close());
  }
});
