import { nextPacificReset } from "../quota/pacific-day";
import type { QuotaGate, QuotaPlan, QuotaPriority } from "../quota/types";
import { cachedAccessToken, forgetAccessToken, storeAccessToken } from "./access-tokens";
import type { CacheStore } from "./cache-store";
import type { GoogleEndpoints } from "./endpoints";
import { classifyApiError, retryAfter, YouTubeError } from "./errors";
import {
  type CallOptions,
  callDeps,
  type OAuthClientCredentials,
  type OAuthDeps,
  refreshAccessToken,
} from "./oauth";
import { type DataApiMethod, QUOTA_COSTS, unitsCharged } from "./quota-costs";
import { cacheKey, readCache, writeCache } from "./response-cache";
import { DEFAULT_RETRY, withRetry } from "./retry";
import { type DailyTrafficSource, trafficSourceQuery, trafficSourceRows } from "./traffic-source-report";
import { send } from "./transport";
import type { Channel, DailyVideoMetrics, Upload, UploadsPage, Video, VideoSnippet, Wire } from "./types";
import { chunk, isValidTitle, toVideo } from "./video-resource";

/** A signed-in creator, as the client needs them. */
export interface YouTubeUser {
  /** The product's user id: scopes cached tokens and responses. */
  id: string;
  /** The Google Cloud project the user consented to: their calls are charged there. */
  project: string;
  /** The user's refresh token (decrypted). */
  refreshToken: string;
  /** Quota priority of this user's work (default "standard"). */
  priority?: QuotaPriority;
  /** The user's plan: the ledger caps each user's daily units by plan (default: as assigned). */
  plan?: QuotaPlan;
}

/** What every finished attempt of a Google call reports. */
export interface CallReport {
  method: DataApiMethod | "analytics.reports";
  /** Units the attempt cost (what was settled with the ledger). */
  units: number;
  status?: number;
  project?: string;
  durationMs: number;
}

/** Construction options; everything but endpoints, gate, kv and oauthClient has a default. */
export interface YouTubeClientOptions extends CallOptions {
  endpoints: GoogleEndpoints;
  /** The QuotaLedger (its DO stub in production). */
  gate: QuotaGate;
  /** Token and response cache (the CACHE KV namespace in the Worker). */
  kv: CacheStore;
  /** A project's OAuth client (its secret from the Worker's secrets). */
  oauthClient: (projectId: string) => OAuthClientCredentials | Promise<OAuthClientCredentials>;
  /** Per-attempt timeout, ms (default 10 s). */
  timeoutMs?: number;
  onCall?: (report: CallReport) => void;
}

/** At most this many ids per videos.list call (YouTube's limit). */
export const VIDEO_IDS_PER_CALL = 50;
const VIDEO_PARTS = "snippet,statistics,status,contentDetails";
/**
 * What the Analytics API serves per video and day. Thumbnail impressions and their CTR are not
 * among them (Google answers 400 "The query is not supported"): they come from the Reporting API's
 * reach reports (`reporting.ts`).
 */
const ANALYTICS_METRICS = "views,estimatedMinutesWatched,averageViewDuration";

interface CallSpec {
  method: DataApiMethod | "analytics.reports";
  url: URL;
  init?: RequestInit;
  /** OAuth user, or absent for API-key reads through a ledger grant. */
  user?: YouTubeUser;
  priority: QuotaPriority;
}

/**
 * The only code that talks to YouTube. Every call that costs units is reserved with the
 * QuotaGate first and settled after with what it really cost; transient failures are retried with
 * backoff; a 401 refreshes the access token once; dashboard reads are cached per user in KV.
 */
export class YouTubeClient {
  private readonly deps: OAuthDeps;
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(private readonly options: YouTubeClientOptions) {
    this.deps = callDeps(options.endpoints, options, 10_000);
  }

  // ---- tokens --------------------------------------------------------------------------------

  /** A valid access token for the user: from KV, or refreshed (once per user at a time). */
  async accessToken(user: YouTubeUser, force = false): Promise<string> {
    if (!force) {
      const cached = await cachedAccessToken(this.options.kv, user.id, this.deps.now());
      if (cached) return cached;
    }
    const pending = this.refreshing.get(user.id);
    if (pending) return pending;
    const refresh = (async () => {
      const client = await this.options.oauthClient(user.project);
      // The call pipeline retries transient failures already: one attempt here, not attempts².
      const tokens = await refreshAccessToken(
        { ...this.deps, retry: { ...DEFAULT_RETRY, attempts: 1 } },
        client,
        user.refreshToken,
      );
      await storeAccessToken(this.options.kv, user.id, tokens, this.deps.now());
      return tokens.accessToken;
    })();
    this.refreshing.set(user.id, refresh);
    try {
      return await refresh;
    } catch (err) {
      if (err instanceof YouTubeError && err.kind === "auth_revoked")
        await forgetAccessToken(this.options.kv, user.id);
      throw err;
    } finally {
      this.refreshing.delete(user.id);
    }
  }

  // ---- Data API ------------------------------------------------------------------------------

  /** The signed-in user's channel (cached 15 min per user). `not_found` when they have none. */
  async getMyChannel(user: YouTubeUser, opts: { fresh?: boolean } = {}): Promise<Channel> {
    const key = cacheKey(user.id, "channel", "mine");
    if (!opts.fresh) {
      const hit = await readCache<Channel>(this.options.kv, key);
      if (hit) return hit;
    }
    const url = this.apiUrl("/youtube/v3/channels", {
      part: "snippet,contentDetails,statistics",
      mine: "true",
    });
    const body = await this.call<Wire.ChannelListResponse>({
      method: "channels.list",
      url,
      user,
      priority: user.priority ?? "standard",
    });
    const c = body.items?.[0];
    if (!c?.contentDetails)
      throw new YouTubeError("not_found", "The account has no YouTube channel", { status: 200 });
    const channel: Channel = {
      id: c.id,
      title: c.snippet?.title ?? "",
      description: c.snippet?.description ?? "",
      customUrl: c.snippet?.customUrl,
      thumbnailUrl: c.snippet?.thumbnails?.default?.url,
      uploadsPlaylistId: c.contentDetails.relatedPlaylists.uploads,
      statistics: c.statistics && {
        viewCount: Number(c.statistics.viewCount ?? 0),
        subscriberCount: Number(c.statistics.subscriberCount ?? 0),
        videoCount: Number(c.statistics.videoCount ?? 0),
      },
    };
    await writeCache(this.options.kv, key, "channel", channel);
    return channel;
  }

  /** One page of the user's uploads, newest first (cached 5 min per user and page). */
  async listUploads(
    user: YouTubeUser,
    opts: { pageToken?: string; maxResults?: number; fresh?: boolean } = {},
  ): Promise<UploadsPage> {
    const channel = await this.getMyChannel(user, { fresh: opts.fresh });
    const maxResults = Math.min(50, Math.max(1, opts.maxResults ?? 50));
    const key = cacheKey(
      user.id,
      "uploads",
      channel.uploadsPlaylistId,
      opts.pageToken ?? "-",
      String(maxResults),
    );
    if (!opts.fresh) {
      const hit = await readCache<UploadsPage>(this.options.kv, key);
      if (hit) return hit;
    }
    const url = this.apiUrl("/youtube/v3/playlistItems", {
      part: "snippet,contentDetails",
      playlistId: channel.uploadsPlaylistId,
      maxResults: String(maxResults),
      ...(opts.pageToken ? { pageToken: opts.pageToken } : {}),
    });
    const body = await this.call<Wire.PlaylistItemListResponse>({
      method: "playlistItems.list",
      url,
      user,
      priority: user.priority ?? "background",
    });
    const page: UploadsPage = {
      items: body.items.map(
        (item): Upload => ({
          videoId: item.contentDetails?.videoId ?? item.snippet?.resourceId.videoId ?? "",
          title: item.snippet?.title ?? "",
          publishedAt: item.contentDetails?.videoPublishedAt ?? item.snippet?.publishedAt ?? "",
          thumbnailUrl: item.snippet?.thumbnails?.medium?.url ?? item.snippet?.thumbnails?.default?.url,
          position: item.snippet?.position ?? 0,
        }),
      ),
      nextPageToken: body.nextPageToken,
      totalResults: body.pageInfo.totalResults,
    };
    await writeCache(this.options.kv, key, "uploads", page);
    return page;
  }

  /** All uploads, following page tokens (up to `limit`). */
  async listAllUploads(user: YouTubeUser, opts: { limit?: number; fresh?: boolean } = {}): Promise<Upload[]> {
    const limit = opts.limit ?? 500;
    const out: Upload[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.listUploads(user, { pageToken, fresh: opts.fresh });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && out.length < limit);
    return out.slice(0, limit);
  }

  /**
   * Details of the user's videos (snippet, statistics, status, contentDetails), 50 ids per call.
   * Cached 5 min per user and video unless `fresh`; unknown ids are simply absent.
   */
  async getVideos(
    user: YouTubeUser,
    ids: readonly string[],
    opts: { fresh?: boolean; parts?: string } = {},
  ): Promise<Video[]> {
    const unique = [...new Set(ids)];
    const parts = opts.parts ?? VIDEO_PARTS;
    // Only the full dashboard read is cached: a partial one must never answer for it.
    const cacheable = !opts.fresh && parts === VIDEO_PARTS;
    const found = new Map<string, Video>();
    let missing = unique;
    if (cacheable) {
      const hits = await Promise.all(
        unique.map((id) => readCache<Video>(this.options.kv, cacheKey(user.id, "video", id))),
      );
      hits.forEach((hit, i) => {
        if (hit) found.set(unique[i] as string, hit);
      });
      missing = unique.filter((id) => !found.has(id));
    }
    await Promise.all(
      chunk(missing, VIDEO_IDS_PER_CALL).map(async (batch) => {
        const url = this.apiUrl("/youtube/v3/videos", {
          part: parts,
          id: batch.join(","),
          maxResults: String(VIDEO_IDS_PER_CALL),
        });
        const body = await this.call<Wire.VideoListResponse>({
          method: "videos.list",
          url,
          user,
          priority: user.priority ?? "standard",
        });
        for (const item of body.items) {
          const video = toVideo(item);
          found.set(video.id, video);
          if (cacheable)
            await writeCache(this.options.kv, cacheKey(user.id, "video", video.id), "video", video);
        }
      }),
    );
    return unique.map((id) => found.get(id)).filter((v): v is Video => v !== undefined);
  }

  /**
   * Public snippet and statistics by API key (rotation polls), 50 ids per call, never cached. The
   * ledger picks the project and hands out its key with the grant.
   */
  async getPublicVideos(ids: readonly string[], opts: { priority?: QuotaPriority } = {}): Promise<Video[]> {
    const unique = [...new Set(ids)];
    const batches = await Promise.all(
      chunk(unique, VIDEO_IDS_PER_CALL).map(async (batch) => {
        const url = this.apiUrl("/youtube/v3/videos", {
          part: "snippet,statistics",
          id: batch.join(","),
          maxResults: String(VIDEO_IDS_PER_CALL),
        });
        const body = await this.call<Wire.VideoListResponse>({
          method: "videos.list",
          url,
          priority: opts.priority ?? "background",
        });
        return body.items.map(toVideo);
      }),
    );
    return batches.flat();
  }

  /**
   * Sets a video's title without touching anything else: reads the current snippet fresh (never
   * from cache — the creator may have edited the description in Studio a minute ago) and sends it
   * back whole with only the title changed, since videos.update wipes every omitted field.
   * `opts.current` is a snippet the caller read seconds ago (the rotator's boundary poll): it saves
   * the second read, so a rotation costs 50 units plus its share of the batched poll.
   */
  async updateVideoTitle(
    user: YouTubeUser,
    videoId: string,
    title: string,
    opts: { priority?: QuotaPriority; current?: VideoSnippet } = {},
  ): Promise<Video> {
    if (!isValidTitle(title)) {
      throw new YouTubeError("invalid_request", "A title must have 1–100 characters and no < or >", {
        reason: "invalidTitle",
      });
    }
    const priority = opts.priority ?? user.priority ?? "standard";
    const current =
      opts.current ?? (await this.getVideos(user, [videoId], { fresh: true, parts: "snippet" }))[0]?.snippet;
    if (!current)
      throw new YouTubeError("not_found", `Video ${videoId} not found`, { reason: "videoNotFound" });
    const snippet: VideoSnippet = { ...current, title };
    const url = this.apiUrl("/youtube/v3/videos", { part: "snippet" });
    const body = await this.call<Wire.VideoResource>({
      method: "videos.update",
      url,
      init: {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: videoId, snippet }),
      },
      user,
      priority,
    });
    await this.options.kv.delete(cacheKey(user.id, "video", videoId));
    return toVideo(body);
  }

  // ---- Analytics API -------------------------------------------------------------------------

  /**
   * A video's daily views and watch time from the Analytics API (Pacific days; the last ~2 days
   * are not there yet). No Data API quota. Impressions and CTR are the Reporting API's.
   * `metrics` narrows the query (e.g. "views"); metrics not asked for read 0.
   */
  async getDailyVideoMetrics(
    user: YouTubeUser,
    videoId: string,
    startDate: string,
    endDate: string,
    metrics: string = ANALYTICS_METRICS,
  ): Promise<DailyVideoMetrics[]> {
    const url = new URL(`${this.options.endpoints.analytics}/v2/reports`);
    for (const [k, v] of Object.entries({
      ids: "channel==MINE",
      startDate,
      endDate,
      metrics,
      dimensions: "day",
      filters: `video==${videoId}`,
      sort: "day",
    })) {
      url.searchParams.set(k, v);
    }
    const table = await this.call<Wire.ResultTable>({
      method: "analytics.reports",
      url,
      user,
      priority: user.priority ?? "standard",
    });
    const index = new Map(table.columnHeaders.map((h, i) => [h.name, i]));
    const num = (row: (string | number)[], name: string) => Number(row[index.get(name) ?? -1] ?? 0);
    return (table.rows ?? []).map((row) => ({
      day: String(row[index.get("day") ?? 0]),
      views: num(row, "views"),
      estimatedMinutesWatched: num(row, "estimatedMinutesWatched"),
      averageViewDuration: num(row, "averageViewDuration"),
    }));
  }

  /** A video's views and minutes by Pacific day and traffic source (Analytics: no Data API units). */
  async getDailyTrafficSources(user: YouTubeUser, videoId: string, from: string, to: string) {
    const url = new URL(
      `${this.options.endpoints.analytics}/v2/reports?${trafficSourceQuery(videoId, from, to)}`,
    );
    const priority = user.priority ?? "background";
    const table = await this.call<Wire.ResultTable>({ method: "analytics.reports", url, user, priority });
    return trafficSourceRows(table) satisfies DailyTrafficSource[];
  }

  // ---- the call pipeline ---------------------------------------------------------------------

  private apiUrl(path: string, params: Record<string, string>): URL {
    const url = new URL(`${this.options.endpoints.apis}${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  /** Retries transient failures; on a 401 refreshes the user's token once and tries again. */
  private call<T>(spec: CallSpec): Promise<T> {
    return withRetry(this.deps.retry ?? DEFAULT_RETRY, this.deps, async () => {
      try {
        return await this.attempt<T>(spec, false);
      } catch (err) {
        if (!(err instanceof YouTubeError) || err.status !== 401 || !spec.user) throw err;
        await forgetAccessToken(this.options.kv, spec.user.id);
        // A second 401 with a token minted a moment ago: the grant is gone (classified auth_revoked).
        return await this.attempt<T>(spec, true);
      }
    });
  }

  /** One attempt: reserve units, send, settle what it cost. */
  private async attempt<T>(spec: CallSpec, forceRefresh: boolean): Promise<T> {
    const cost = spec.method === "analytics.reports" ? 0 : QUOTA_COSTS[spec.method];
    let grantId: string | undefined;
    let project = spec.user?.project;
    const url = new URL(spec.url);
    if (cost > 0) {
      const grant = await this.options.gate.reserve({
        units: cost,
        priority: spec.priority,
        project: spec.user?.project,
        userId: spec.user?.id,
        plan: spec.user?.plan,
      });
      if (!grant.granted) {
        throw new YouTubeError("quota_exhausted", `quota denied by the ledger (${grant.reason})`, {
          reason: grant.reason,
          retryAt: grant.retryAt,
        });
      }
      grantId = grant.grantId;
      project = grant.project;
      if (!spec.user) url.searchParams.set("key", grant.apiKey);
    }
    const started = this.deps.now();
    let status: number | undefined;
    let reason: string | undefined;
    // A call that never left (its token refresh failed) cost nothing; one that left may have.
    let sent = false;
    try {
      const headers = new Headers(spec.init?.headers);
      if (spec.user)
        headers.set("authorization", `Bearer ${await this.accessToken(spec.user, forceRefresh)}`);
      sent = true;
      const answer = await send(this.deps, url.toString(), { ...spec.init, headers });
      status = answer.status;
      if (status >= 200 && status < 300) return answer.body as T;
      const error = classifyApiError(status, answer.body, {
        retryAt: retryAfter(answer.headers.get("retry-after"), this.deps.now()),
        quotaResetAt: () => nextPacificReset(this.deps.now()),
      });
      reason = error.reason;
      throw error;
    } finally {
      const units =
        spec.method === "analytics.reports" || !sent ? 0 : unitsCharged(spec.method, status, reason);
      if (grantId) {
        const outcome =
          reason === "quotaExceeded"
            ? "quotaExceeded"
            : status !== undefined && status < 300
              ? "ok"
              : "error";
        await this.options.gate.settle(grantId, { units, outcome });
      }
      this.options.onCall?.({
        method: spec.method,
        units,
        status,
        project,
        durationMs: this.deps.now() - started,
      });
    }
  }
}
