import {
  type ChannelRow,
  channelsOf,
  currentTitle,
  getChannel,
  getVideo,
  setTitle,
  titlesByVideo,
  type VideoRow,
  videoStatistics,
  videosByIds,
  videosOfChannel,
} from "./catalog";
import { apiError, badParameter, loginRequired } from "./google-errors";
import type { AccessHolder } from "./oauth";
import { isReply, json, type Reply } from "./reply";
import {
  CHANNEL_PARTS,
  channelResource,
  listResponse,
  PLAYLIST_ITEM_PARTS,
  playlistItemResource,
  VIDEO_PARTS,
  videoResource,
} from "./resources";

/**
 * YouTube Data API v3 methods: channels.list, playlistItems.list, videos.list, videos.update.
 * Each takes an authenticated, quota-checked call (see gateway.ts) and answers as YouTube would.
 */

/** An authenticated call, ready for a method. */
export interface ApiContext {
  sql: SqlStorage;
  /** The user behind an OAuth token; absent for API-key calls. */
  holder?: AccessHolder;
  params: Record<string, string>;
  body?: string;
  nowSim: number;
  propagationSeconds: number;
  /** The emulator's own origin: thumbnail URLs point back at it. */
  origin: string;
}

/** A method's answer, and the video(s) it concerned (for the call log). */
export interface MethodResult {
  reply: Reply;
  videoId?: string;
}

const MAX_IDS = 50;
/** YouTube's category ids (US region) — videos.update rejects others. */
const CATEGORY_IDS = new Set([
  "1",
  "2",
  "10",
  "15",
  "17",
  "18",
  "19",
  "20",
  "21",
  "22",
  "23",
  "24",
  "25",
  "26",
  "27",
  "28",
  "29",
  "30",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "38",
  "39",
  "40",
  "41",
  "42",
  "43",
  "44",
]);

function parseParts(value: string | undefined, known: readonly string[]): Set<string> | Reply {
  if (!value) return badParameter("missingRequiredParameter", "No part parameter specified.");
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of parts) {
    if (!known.includes(p))
      return apiError(400, `'${p}'`, { message: `'${p}'`, domain: "youtube.part", reason: "unknownPart" });
  }
  return new Set(parts);
}

function canSee(ctx: ApiContext, video: VideoRow, channel: ChannelRow): boolean {
  return video.privacy_status !== "private" || ctx.holder?.sub === channel.account_sub;
}

function channelStats(ctx: ApiContext, channel: ChannelRow) {
  const videos = videosOfChannel(ctx.sql, channel.id);
  let viewCount = 0;
  for (const v of videos) viewCount += videoStatistics(ctx.sql, v, ctx.nowSim).viewCount;
  return { viewCount, videoCount: videos.filter((v) => v.privacy_status === "public").length };
}

/** channels.list: `mine=true` (OAuth) or `id=` (comma-separated). */
export function channelsList(ctx: ApiContext): MethodResult {
  const parts = parseParts(ctx.params.part, CHANNEL_PARTS);
  if (isReply(parts)) return { reply: parts };
  let channels: ChannelRow[];
  if (ctx.params.mine === "true") {
    if (!ctx.holder) return { reply: loginRequired() };
    channels = channelsOf(ctx.sql, ctx.holder.sub);
  } else if (ctx.params.id) {
    channels = ctx.params.id
      .split(",")
      .map((id) => getChannel(ctx.sql, id.trim()))
      .filter((c): c is ChannelRow => !!c);
  } else {
    return {
      reply: badParameter(
        "missingRequiredParameter",
        "No filter selected. Expected one of: forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam, forHandle.",
      ),
    };
  }
  const items = channels.map((c) => channelResource(c, parts, () => channelStats(ctx, c), ctx.origin));
  return {
    reply: json(
      200,
      listResponse("youtube#channelListResponse", items, { totalResults: items.length, resultsPerPage: 5 }),
    ),
  };
}

function encodePageToken(offset: number): string {
  return `EA${btoa(`PT:${offset}`).replaceAll("=", "")}`;
}

function decodePageToken(token: string): number | undefined {
  try {
    const match = /^PT:(\d+)$/.exec(atob(token.slice(2)));
    return token.startsWith("EA") && match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** playlistItems.list over a channel's uploads playlist (`UU…`), paged by `maxResults` ≤ 50. */
export function playlistItemsList(ctx: ApiContext): MethodResult {
  const parts = parseParts(ctx.params.part, PLAYLIST_ITEM_PARTS);
  if (isReply(parts)) return { reply: parts };
  const playlistId = ctx.params.playlistId;
  if (!playlistId)
    return {
      reply: badParameter("missingRequiredParameter", "No filter selected. Expected one of: playlistId, id."),
    };
  const maxResults = ctx.params.maxResults === undefined ? 5 : Number(ctx.params.maxResults);
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 50) {
    return {
      reply: badParameter(
        "invalidValue",
        `Invalid value '${ctx.params.maxResults}'. Values must be within the range: [0, 50]`,
      ),
    };
  }
  const channel = playlistId.startsWith("UU") ? getChannel(ctx.sql, `UC${playlistId.slice(2)}`) : undefined;
  if (!channel) {
    return {
      reply: apiError(
        404,
        "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
        {
          domain: "youtube.playlistItem",
          reason: "playlistNotFound",
          location: "playlistId",
          locationType: "parameter",
        },
      ),
    };
  }
  const offset = ctx.params.pageToken ? decodePageToken(ctx.params.pageToken) : 0;
  if (offset === undefined) {
    return { reply: badParameter("invalidPageToken", "The request specifies an invalid page token.") };
  }
  const visible = videosOfChannel(ctx.sql, channel.id).filter((v) => canSee(ctx, v, channel));
  const page = visible.slice(offset, offset + maxResults);
  const timelines = titlesByVideo(
    ctx.sql,
    page.map((v) => v.id),
  );
  const items = page.map((v, i) =>
    playlistItemResource(v, channel, currentTitle(timelines.get(v.id) ?? []), offset + i, parts, ctx.origin),
  );
  const next =
    offset + maxResults < visible.length && maxResults > 0 ? encodePageToken(offset + maxResults) : undefined;
  const prev = offset > 0 ? encodePageToken(Math.max(0, offset - maxResults)) : undefined;
  return {
    reply: json(
      200,
      listResponse(
        "youtube#playlistItemListResponse",
        items,
        { totalResults: visible.length, resultsPerPage: maxResults },
        { nextPageToken: next, prevPageToken: prev },
      ),
    ),
  };
}

/** videos.list by `id` (≤ 50 comma-separated ids; unknown or hidden ids are simply absent). */
export function videosList(ctx: ApiContext): MethodResult {
  const parts = parseParts(ctx.params.part, VIDEO_PARTS);
  if (isReply(parts)) return { reply: parts };
  if (!ctx.params.id)
    return {
      reply: badParameter(
        "missingRequiredParameter",
        "No filter selected. Expected one of: chart, id, myRating.",
      ),
    };
  const ids = ctx.params.id
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const videoId = ids.join(",");
  if (ids.length > MAX_IDS) {
    return {
      reply: badParameter(
        "invalidFilters",
        `The request specifies ${ids.length} video ids; at most ${MAX_IDS} are allowed.`,
      ),
      videoId,
    };
  }
  const unique = [...new Set(ids)];
  const videos = videosByIds(ctx.sql, unique);
  const timelines = titlesByVideo(ctx.sql, [...videos.keys()]);
  const channels = new Map<string, ChannelRow | undefined>();
  const items = [];
  for (const id of ids) {
    const video = videos.get(id);
    if (video && !channels.has(video.channel_id))
      channels.set(video.channel_id, getChannel(ctx.sql, video.channel_id));
    const channel = video && channels.get(video.channel_id);
    if (!video || !channel || !canSee(ctx, video, channel)) continue;
    const titles = timelines.get(id) ?? [];
    items.push(
      videoResource(
        video,
        channel,
        currentTitle(titles),
        parts,
        () => videoStatistics(ctx.sql, video, ctx.nowSim, titles),
        ctx.origin,
      ),
    );
  }
  return {
    reply: json(
      200,
      listResponse("youtube#videoListResponse", items, {
        totalResults: items.length,
        resultsPerPage: items.length,
      }),
    ),
    videoId,
  };
}

const videoError = (code: number, reason: string, message: string) =>
  apiError(code, message, { domain: "youtube.video", reason });

/**
 * videos.update with part=snippet. As on YouTube the snippet is replaced, not merged: title and
 * categoryId are required, and every mutable field left out (description, tags, languages) is wiped.
 */
export function videosUpdate(ctx: ApiContext): MethodResult {
  if (!ctx.holder) return { reply: loginRequired() };
  const parts = parseParts(ctx.params.part, ["snippet"]);
  if (isReply(parts)) return { reply: parts };
  let resource: { id?: unknown; snippet?: Record<string, unknown> };
  try {
    resource = JSON.parse(ctx.body ?? "") as typeof resource;
    if (typeof resource !== "object" || resource === null) throw new Error("not an object");
  } catch {
    return { reply: apiError(400, "Parse Error", { domain: "global", reason: "parseError" }) };
  }
  const id = typeof resource.id === "string" ? resource.id : "";
  if (!id) return { reply: badParameter("missingRequiredParameter", "No video id specified.") };
  const video = getVideo(ctx.sql, id);
  const channel = video && getChannel(ctx.sql, video.channel_id);
  if (!video || !channel || !canSee(ctx, video, channel)) {
    return {
      reply: videoError(
        404,
        "videoNotFound",
        "The video that you are trying to update cannot be found. Check the value of the <code>id</code> field in the request body to ensure that it is correct.",
      ),
      videoId: id,
    };
  }
  if (channel.account_sub !== ctx.holder.sub) {
    return {
      reply: videoError(403, "forbidden", "The video that you are trying to update cannot be updated."),
      videoId: id,
    };
  }
  const snippet = resource.snippet ?? {};
  const title = snippet.title;
  if (
    typeof title !== "string" ||
    title.trim().length === 0 ||
    [...title].length > 100 ||
    /[<>]/.test(title)
  ) {
    return {
      reply: videoError(400, "invalidTitle", "The request metadata specifies an invalid video title."),
      videoId: id,
    };
  }
  const categoryId = snippet.categoryId;
  if (typeof categoryId !== "string" || !CATEGORY_IDS.has(categoryId)) {
    return {
      reply: videoError(
        400,
        "invalidCategoryId",
        "The <code>snippet.categoryId</code> property specifies an invalid category ID.",
      ),
      videoId: id,
    };
  }
  const description = snippet.description ?? "";
  if (
    typeof description !== "string" ||
    new TextEncoder().encode(description).length > 5000 ||
    /[<>]/.test(description)
  ) {
    return {
      reply: videoError(
        400,
        "invalidDescription",
        "The request metadata specifies an invalid video description.",
      ),
      videoId: id,
    };
  }
  const tags = snippet.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string") || tags.join(",").length > 500) {
    return {
      reply: videoError(400, "invalidTags", "The request metadata specifies invalid video keywords."),
      videoId: id,
    };
  }
  const lang = (v: unknown) => (typeof v === "string" && v ? v : null);
  ctx.sql.exec(
    "UPDATE videos SET description = ?, tags = ?, category_id = ?, default_language = ?, default_audio_language = ? WHERE id = ?",
    description,
    tags.length ? JSON.stringify(tags) : null,
    categoryId,
    lang(snippet.defaultLanguage),
    lang(snippet.defaultAudioLanguage),
    id,
  );
  setTitle(ctx.sql, id, title, ctx.nowSim, ctx.propagationSeconds, "api");
  const updated = getVideo(ctx.sql, id) as VideoRow;
  const resourceOut = videoResource(
    updated,
    channel,
    title,
    parts,
    () => videoStatistics(ctx.sql, updated, ctx.nowSim),
    ctx.origin,
  );
  return { reply: json(200, resourceOut), videoId: id };
}
