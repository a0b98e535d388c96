import { type Context, Hono } from "hono";
import type { EmulatorAppEnv } from "../env";
import type { ApiCall, ApiMethod } from "../gateway";
import { answer, emulatorState, queryRecord } from "./answer";

/** Credentials as Google takes them: a bearer token (header or access_token) or an API key (key or x-goog-api-key). */
function credentials(c: Context<EmulatorAppEnv>): Pick<ApiCall, "bearer" | "key"> {
  const header = c.req.header("authorization");
  if (header) return { bearer: header.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "" };
  const accessToken = c.req.query("access_token");
  if (accessToken !== undefined) return { bearer: accessToken };
  const key = c.req.query("key") ?? c.req.header("x-goog-api-key");
  return key !== undefined ? { key } : {};
}

function call(method: ApiMethod) {
  return async (c: Context<EmulatorAppEnv>) => {
    const body = c.req.method === "PUT" || c.req.method === "POST" ? await c.req.text() : undefined;
    return answer(
      await emulatorState(c.env).api({
        method,
        ...credentials(c),
        params: queryRecord(c, ["key", "access_token"]),
        body,
        origin: new URL(c.req.url).origin,
      }),
    );
  };
}

/**
 * YouTube Data API v3 (www.googleapis.com/youtube/v3) and YouTube Analytics API v2
 * (youtubeanalytics.googleapis.com/v2/reports). Parameters are checked by the object after
 * authentication and quota, in Google's order, so a rejected call is charged as Google charges it.
 */
export const googleApiRoutes = new Hono<EmulatorAppEnv>()
  .get("/youtube/v3/channels", call("channels.list"))
  .get("/youtube/v3/playlistItems", call("playlistItems.list"))
  .get("/youtube/v3/videos", call("videos.list"))
  .put("/youtube/v3/videos", call("videos.update"))
  .get("/v2/reports", call("analytics.reports"));
