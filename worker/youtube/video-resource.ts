import type { Video, Wire } from "./types";

/** Splits a list into chunks of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A `videos` resource as the API sends it (counts as strings) in the client's shape. */
export function toVideo(w: Wire.VideoResource): Video {
  return {
    id: w.id,
    snippet: w.snippet,
    statistics: w.statistics && {
      viewCount: Number(w.statistics.viewCount ?? 0),
      likeCount: Number(w.statistics.likeCount ?? 0),
      commentCount: Number(w.statistics.commentCount ?? 0),
    },
    status: w.status,
    contentDetails: w.contentDetails,
  };
}

/** A title YouTube accepts: 1–100 characters, no `<` or `>`. */
export function isValidTitle(title: string): boolean {
  return title.trim().length > 0 && [...title].length <= 100 && !/[<>]/.test(title);
}
