import type { ChannelRow, VideoRow } from "./catalog";
import { uploadsPlaylistId } from "./ids";
import {
  AVATAR_SIZES,
  avatarUrl,
  VIDEO_THUMBNAIL_SIZES,
  type VideoThumbnailKey,
  videoThumbnailUrl,
} from "./images";
import { hashString } from "./random";

/**
 * The Data API's resource shapes (youtube#video, youtube#channel, youtube#playlistItem and their
 * list responses), field for field as in Google's API reference.
 */

/** Google-style timestamp: seconds precision, `Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** An etag derived from the content, so an unchanged resource keeps its etag. */
export function etag(value: unknown): string {
  const text = JSON.stringify(value);
  const a = hashString(text).toString(36);
  const b = hashString(`${text.length}:${text}`).toString(36);
  return `${a}${b}`.padEnd(27, "A").slice(0, 27);
}

/** ISO 8601 duration as in contentDetails.duration (e.g. PT8M13S). */
export function isoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || (!h && !m) ? `${s}S` : ""}`;
}

/** A video's thumbnails in YouTube's five sizes, served by the emulator itself (see images.ts). */
function videoThumbnails(id: string, origin: string) {
  const sizes = Object.entries(VIDEO_THUMBNAIL_SIZES).map(([key, size]) => [
    key,
    { url: videoThumbnailUrl(origin, id, key as VideoThumbnailKey), width: size.width, height: size.height },
  ]);
  return Object.fromEntries(sizes);
}

/** A channel's avatar in YouTube's three sizes, served by the emulator itself. */
function channelThumbnails(id: string, origin: string) {
  const sizes = Object.entries(AVATAR_SIZES).map(([key, side]) => [
    key,
    { url: avatarUrl(origin, id, side), width: side, height: side },
  ]);
  return Object.fromEntries(sizes);
}

/** A video's snippet. Optional fields are absent when unset, as YouTube leaves them out. */
export function videoSnippet(row: VideoRow, channel: ChannelRow, title: string, origin: string) {
  const tags = row.tags ? (JSON.parse(row.tags) as string[]) : undefined;
  return {
    publishedAt: isoSeconds(row.published_sim),
    channelId: row.channel_id,
    title,
    description: row.description,
    thumbnails: videoThumbnails(row.id, origin),
    channelTitle: channel.title,
    ...(tags && tags.length > 0 ? { tags } : {}),
    categoryId: row.category_id,
    liveBroadcastContent: "none",
    ...(row.default_language ? { defaultLanguage: row.default_language } : {}),
    localized: { title, description: row.description },
    ...(row.default_audio_language ? { defaultAudioLanguage: row.default_audio_language } : {}),
  };
}

/** The parts of a video resource the emulator serves. */
export const VIDEO_PARTS = ["id", "snippet", "contentDetails", "status", "statistics"] as const;

/** A youtube#video with the requested parts. */
export function videoResource(
  row: VideoRow,
  channel: ChannelRow,
  title: string,
  parts: ReadonlySet<string>,
  stats: () => { viewCount: number; likeCount: number; commentCount: number },
  origin: string,
) {
  const body: Record<string, unknown> = {};
  if (parts.has("snippet")) body.snippet = videoSnippet(row, channel, title, origin);
  if (parts.has("contentDetails")) {
    body.contentDetails = {
      duration: isoDuration(row.duration_seconds),
      dimension: "2d",
      definition: "hd",
      caption: "false",
      licensedContent: true,
      contentRating: {},
      projection: "rectangular",
    };
  }
  if (parts.has("status")) {
    body.status = {
      uploadStatus: "processed",
      privacyStatus: row.privacy_status,
      license: "youtube",
      embeddable: true,
      publicStatsViewable: true,
      madeForKids: false,
    };
  }
  if (parts.has("statistics")) {
    const s = stats();
    body.statistics = {
      viewCount: String(s.viewCount),
      likeCount: String(s.likeCount),
      favoriteCount: "0",
      commentCount: String(s.commentCount),
    };
  }
  return { kind: "youtube#video", etag: etag(body), id: row.id, ...body };
}

/** The parts of a channel resource the emulator serves. */
export const CHANNEL_PARTS = ["id", "snippet", "contentDetails", "statistics"] as const;

/** A youtube#channel with the requested parts. */
export function channelResource(
  row: ChannelRow,
  parts: ReadonlySet<string>,
  stats: () => { viewCount: number; videoCount: number },
  origin: string,
) {
  const body: Record<string, unknown> = {};
  if (parts.has("snippet")) {
    body.snippet = {
      title: row.title,
      description: row.description,
      customUrl: row.custom_url,
      publishedAt: isoSeconds(row.published_sim),
      thumbnails: channelThumbnails(row.id, origin),
      localized: { title: row.title, description: row.description },
    };
  }
  if (parts.has("contentDetails")) {
    body.contentDetails = { relatedPlaylists: { likes: "", uploads: uploadsPlaylistId(row.id) } };
  }
  if (parts.has("statistics")) {
    const s = stats();
    body.statistics = {
      viewCount: String(s.viewCount),
      subscriberCount: String(row.subscriber_count),
      hiddenSubscriberCount: false,
      videoCount: String(s.videoCount),
    };
  }
  return { kind: "youtube#channel", etag: etag(body), id: row.id, ...body };
}

/** The parts of a playlistItem resource the emulator serves. */
export const PLAYLIST_ITEM_PARTS = ["id", "snippet", "contentDetails", "status"] as const;

/** A youtube#playlistItem of an uploads playlist. */
export function playlistItemResource(
  row: VideoRow,
  channel: ChannelRow,
  title: string,
  position: number,
  parts: ReadonlySet<string>,
  origin: string,
) {
  const playlistId = uploadsPlaylistId(channel.id);
  const body: Record<string, unknown> = {};
  if (parts.has("snippet")) {
    body.snippet = {
      publishedAt: isoSeconds(row.published_sim),
      channelId: channel.id,
      title,
      description: row.description,
      thumbnails: videoThumbnails(row.id, origin),
      channelTitle: channel.title,
      playlistId,
      position,
      resourceId: { kind: "youtube#video", videoId: row.id },
      videoOwnerChannelTitle: channel.title,
      videoOwnerChannelId: channel.id,
    };
  }
  if (parts.has("contentDetails")) {
    body.contentDetails = { videoId: row.id, videoPublishedAt: isoSeconds(row.published_sim) };
  }
  if (parts.has("status")) body.status = { privacyStatus: row.privacy_status };
  // Playlist item ids are opaque base64 strings on YouTube.
  const id = btoa(`${playlistId}.${row.id}`).replaceAll("=", "");
  return { kind: "youtube#playlistItem", etag: etag(body), id, ...body };
}

/** A list response: kind, etag, optional page tokens, pageInfo, items. */
export function listResponse(
  kind: string,
  items: { etag: string }[],
  pageInfo: { totalResults: number; resultsPerPage: number },
  tokens: { nextPageToken?: string; prevPageToken?: string } = {},
) {
  return {
    kind,
    // Derived from the items' etags: changes when any item does, without hashing the items again.
    etag: etag([kind, pageInfo, tokens, items.map((i) => i.etag)]),
    ...(tokens.nextPageToken ? { nextPageToken: tokens.nextPageToken } : {}),
    ...(tokens.prevPageToken ? { prevPageToken: tokens.prevPageToken } : {}),
    pageInfo,
    items,
  };
}
