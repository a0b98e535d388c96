import { query } from "@solidjs/router";
import type { InferResponseType } from "hono/client";
import { api, send } from "./api";

/** A page of the creator's uploads, as `GET /api/videos` answers it. */
export type VideosPage = InferResponseType<typeof api.videos.$get, 200>;

/** One of the creator's uploads. */
export type Video = VideosPage["items"][number];

/** A page of the creator's uploads; no token is the first page. */
export const getVideos = query(async (pageToken?: string): Promise<VideosPage> => {
  const res = await send(api.videos.$get({ query: pageToken ? { pageToken } : {} }));
  return res.json();
}, "videos");

const planOf = api.videos[":id"].plan;

/** How long a test of a video needs, as `GET /api/videos/:id/plan` answers it. */
export type VideoPlan = InferResponseType<(typeof planOf)["$get"], 200>;

/** The plan of a test of `titles` titles (the current one included) every `intervalMinutes` on a video. */
export const getPlan = query(
  async (videoId: string, titles: number, intervalMinutes: number): Promise<VideoPlan> => {
    const q = { titles: String(titles), intervalMinutes: String(intervalMinutes) };
    return (await send(planOf.$get({ param: { id: videoId }, query: q }))).json();
  },
  "video-plan",
);
