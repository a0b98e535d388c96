import { Hono } from "hono";
import type { EmulatorAppEnv } from "../env";
import { apiError } from "../google-errors";
import { channelAvatar, videoThumbnail } from "../images";
import { type Reply, toResponse } from "../reply";

/** A 304 when the client already holds this image (If-None-Match), else the image. */
function conditional(reply: Reply | undefined, ifNoneMatch: string | undefined): Response {
  if (!reply) return toResponse(apiError(404, "Not Found", { domain: "global", reason: "notFound" }));
  const etag = reply.headers?.etag;
  if (etag && ifNoneMatch?.split(",").some((t) => t.trim() === etag)) {
    return new Response(null, { status: 304, headers: reply.headers });
  }
  return toResponse(reply);
}

/**
 * The emulator's image hosts (stand-ins for i.ytimg.com and yt3.ggpht.com): video thumbnails at
 * /vi/{videoId}/{size}.svg and channel avatars at /yt3/{channelId}/s{side}.svg. Derived from the
 * id alone, so no state is read.
 */
export const imageRoutes = new Hono<EmulatorAppEnv>()
  .get("/vi/:videoId/:file", (c) =>
    conditional(videoThumbnail(c.req.param("videoId"), c.req.param("file")), c.req.header("if-none-match")),
  )
  .get("/yt3/:channelId/:file", (c) =>
    conditional(channelAvatar(c.req.param("channelId"), c.req.param("file")), c.req.header("if-none-match")),
  );
