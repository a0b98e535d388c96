import type { YouTubeErrorKind } from "../../worker/youtube/errors";
import type { Video, VideoSnippet } from "../../worker/youtube/types";

/** A video as a rotation step needs it: the live snippet and the view count, read moments ago. */
export interface PolledVideo {
  id: string;
  snippet: VideoSnippet;
  viewCount: number;
  likeCount: number;
  commentCount: number;
}

/** The answer to one read: the video (null when YouTube does not show it publicly), or the failure. */
export type PollAnswer =
  | { ok: true; video: PolledVideo | null }
  | { ok: false; kind: YouTubeErrorKind; message: string; retryAt?: number };

/** A `videos.list` item as a rotation step reads it; null without a snippet (not visible). */
export function polledVideoOf(video: Video | undefined): PolledVideo | null {
  if (!video?.snippet) return null;
  return {
    id: video.id,
    snippet: video.snippet,
    viewCount: video.statistics?.viewCount ?? 0,
    likeCount: video.statistics?.likeCount ?? 0,
    commentCount: video.statistics?.commentCount ?? 0,
  };
}
