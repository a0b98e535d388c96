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
