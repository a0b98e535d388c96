import type { Db } from "../db/client";
import type { Principal } from "./principal";
import { actForUser } from "./youtube-user";

/**
 * One page of the creator's uploads for the video picker: the uploads playlist (never
 * `search.list`) and one batched `videos.list` for views and durations, both cached per user for
 * minutes (`fresh` reads past the cache).
 */
export async function uploadsPage(
  env: Env,
  db: Db,
  principal: Principal,
  options: { pageToken?: string; fresh: boolean },
) {
  const { pageToken, fresh } = options;
  return actForUser(env, db, principal, async (client, user) => {
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
}
