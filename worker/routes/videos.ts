import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { userOf } from "../middleware/session";
import { actForUser } from "../users/youtube-user";
import { validate } from "../validation";

const listQuery = z.object({
  pageToken: z.string().max(200).optional(),
  refresh: z.enum(["1"]).optional(),
});

/**
 * The creator's uploads for the video picker: the uploads playlist (never `search.list`) and one
 * batched `videos.list` for views and durations, both cached per user for minutes.
 */
export const videoRoutes = new Hono<AppEnv>().get("/videos", validate("query", listQuery), async (c) => {
  const { pageToken, refresh } = c.req.valid("query");
  const fresh = refresh === "1";
  const page = await actForUser(c.env, c.var.db(), userOf(c), async (client, user) => {
    const uploads = await client.listUploads(user, { pageToken, fresh });
    const details = await client.getVideos(
      user,
      uploads.items.map((item) => item.videoId),
      { fresh },
    );
    const byId = new Map(details.map((video) => [video.id, video]));
    return {
      items: uploads.items.map((item) => {
        const video = byId.get(item.videoId);
        return {
          ...item,
          title: video?.snippet?.title ?? item.title,
          viewCount: video?.statistics?.viewCount ?? null,
          duration: video?.contentDetails?.duration ?? null,
          privacyStatus: video?.status?.privacyStatus ?? null,
        };
      }),
      nextPageToken: uploads.nextPageToken ?? null,
      totalResults: uploads.totalResults,
    };
  });
  return c.json(page);
});
