import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import { etag } from "hono/etag";
import type { JSONParsed } from "hono/utils/types";
import { toHex } from "../auth/keyring";
import type { AppEnv } from "../context";

const etagged = etag();
const encoder = new TextEncoder();

/** An ETag as `etag()` makes one: the SHA-1 of the body's bytes, quoted. */
async function tagOf(bytes: BufferSource): Promise<string> {
  return `"${toHex(new Uint8Array(await crypto.subtle.digest("SHA-1", bytes)))}"`;
}

/** What `c.json(value)` answers, typed for the SPA's typed client. */
type JsonAnswer<T> = Response & TypedResponse<JSONParsed<T>, 200, "json">;

/**
 * Answers `value` as JSON with its ETag, hashed from the bytes as they are serialized: the answers
 * the SPA polls (a test's results, some 12 kB for 48 slots) need no copy read back to be tagged.
 */
export async function taggedJson<T>(c: Context<AppEnv>, value: T): Promise<JsonAnswer<T>> {
  const bytes = encoder.encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>;
  const headers = { "content-type": "application/json", etag: await tagOf(bytes) };
  return c.body(bytes, 200, headers) as unknown as JsonAnswer<T>;
}

/**
 * Tags any other successful answer from its body, as `etag()` would, but reading a copy of it in
 * one native call rather than chunk by chunk in JavaScript.
 */
async function tagBody(c: Context<AppEnv>): Promise<void> {
  if (!c.res.ok || !c.res.body || c.res.headers.has("etag")) return;
  c.res.headers.set("etag", await tagOf(await c.res.clone().arrayBuffer()));
}

/**
 * API GETs answer an ETag (a hash of the body) and a 304 to a matching If-None-Match. They are
 * per user, so `private, no-cache`: browsers revalidate every time, shared caches keep nothing.
 * Sign-in redirects are left alone; a route that set its own Cache-Control (CSV: no-store) keeps it.
 */
export const revalidated: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== "GET" || c.req.path.startsWith("/api/auth/")) return next();
  return etagged(c, async () => {
    await next();
    await tagBody(c);
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "private, no-cache");
    c.res.headers.append("vary", "Cookie");
  });
};
