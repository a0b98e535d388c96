import { query } from "@solidjs/router";
import { getJson } from "./api";

/** One of the creator's uploads (mirrors an item of `GET /api/videos`). */
export interface Video {
  videoId: string;
  title: string;
  publishedAt: string;
  thumbnailUrl?: string;
  position: number;
  /** YouTube sends counts as strings. */
  viewCount: string | null;
  /** ISO 8601, e.g. `PT6M13S`. */
  duration: string | null;
  privacyStatus: string | null;
}

/** A page of uploads. */
export interface VideosPage {
  items: Video[];
  nextPageToken: string | null;
  totalResults: number;
}

/** A page of the creator's uploads; no token is the first page. */
export const getVideos = query((pageToken?: string): Promise<VideosPage> => {
  const search = pageToken ? `?${new URLSearchParams({ pageToken })}` : "";
  return getJson<VideosPage>(`/api/videos${search}`);
}, "videos");
