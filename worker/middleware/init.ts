import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { openDb } from "../db/client";

/** Gives every request an id (echoed as `x-request-id`) and a database opened on first use. */
export const init = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
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
