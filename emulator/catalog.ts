import { accruedSinceCreation } from "./accrual-cache";
import { newChannelId, newSub, newVideoId } from "./ids";
import { type CtrOverride, likeRate, type SimVideo, type TitleSpan } from "./simulation";

/**
 * The emulator's world: Google accounts, their channels and videos, and each video's title
 * timeline (every title it ever had, when it was set and when viewers started seeing it).
 */

/** A Google account (an OAuth user). */
export type AccountRow = {
  sub: string;
  email: string;
  name: string;
  picture: string;
};

/** A YouTube channel, owned by one account. */
export type ChannelRow = {
  id: string;
  account_sub: string;
  title: string;
  description: string;
  custom_url: string;
  published_sim: number;
  subscriber_count: number;
};

/** A video with its mutable snippet fields and its simulation parameters. */
export type VideoRow = {
  id: string;
  channel_id: string;
  description: string;
  tags: string | null;
  category_id: string;
  default_language: string | null;
  default_audio_language: string | null;
  privacy_status: string;
  published_sim: number;
  created_sim: number;
  duration_seconds: number;
  views_per_day: number;
  initial_views: number;
  seed: number;
};

/** One entry of a video's title timeline. */
export type TitleRow = {
  video_id: string;
  seq: number;
  title: string;
  set_sim: number;
  effective_sim: number;
  source: string;
};

/** Creates an account; `sub` is generated when not given. */
export function createAccount(
  sql: SqlStorage,
  input: { sub?: string; email: string; name: string; picture?: string },
): AccountRow {
  const row: AccountRow = {
    sub: input.sub ?? newSub(),
    email: input.email.toLowerCase(),
    name: input.name,
    picture: input.picture ?? `https://lh3.googleusercontent.com/a/${encodeURIComponent(input.email)}=s96-c`,
  };
  sql.exec(
    "INSERT INTO accounts (sub, email, name, picture) VALUES (?, ?, ?, ?)",
    row.sub,
    row.email,
    row.name,
    row.picture,
  );
  return row;
}

/** An account by sub or email. */
export function findAccount(sql: SqlStorage, subOrEmail: string): AccountRow | undefined {
  return sql
    .exec<AccountRow>(
      "SELECT * FROM accounts WHERE sub = ? OR email = ?",
      subOrEmail,
      subOrEmail.toLowerCase(),
    )
    .toArray()[0];
}

/** All accounts, for the consent page. */
export function listAccounts(sql: SqlStorage): AccountRow[] {
  return sql.exec<AccountRow>("SELECT * FROM accounts ORDER BY email").toArray();
}

/** Creates a channel for an account. */
export function createChannel(
  sql: SqlStorage,
  input: {
    id?: string;
    accountSub: string;
    title: string;
    description?: string;
    customUrl?: string;
    subscriberCount?: number;
  },
  nowSim: number,
): ChannelRow {
  const row: ChannelRow = {
    id: input.id ?? newChannelId(),
    account_sub: input.accountSub,
    title: input.title,
    description: input.description ?? "",
    custom_url: input.customUrl ?? `@${input.title.toLowerCase().replace(/[^a-z0-9]/g, "")}`,
    published_sim: nowSim - 3 * 365 * 86_400_000,
    subscriber_count: input.subscriberCount ?? 1000,
  };
  sql.exec(
    "INSERT INTO channels (id, account_sub, title, description, custom_url, published_sim, subscriber_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
    row.id,
    row.account_sub,
    row.title,
    row.description,
    row.custom_url,
    row.published_sim,
    row.subscriber_count,
  );
  return row;
}

/** A channel by id. */
export function getChannel(sql: SqlStorage, id: string): ChannelRow | undefined {
  return sql.exec<ChannelRow>("SELECT * FROM channels WHERE id = ?", id).toArray()[0];
}

/** The channels of an account (YouTube: `mine=true`). */
export function channelsOf(sql: SqlStorage, sub: string): ChannelRow[] {
  return sql
    .exec<ChannelRow>("SELECT * FROM channels WHERE account_sub = ? ORDER BY published_sim", sub)
    .toArray();
}

/** What the admin API takes to create a video. */
export interface VideoInput {
  id?: string;
  channelId: string;
  title: string;
  description?: string;
  tags?: string[];
  categoryId?: string;
  defaultLanguage?: string;
  defaultAudioLanguage?: string;
  privacyStatus?: "public" | "unlisted" | "private";
  /** Simulated ms; defaults to 7 days ago. */
  publishedAt?: number;
  viewsPerDay?: number;
  initialViews?: number;
  durationSeconds?: number;
  seed?: number;
}

/** Creates a video, its first title, and its accrual start (simulated now). */
export function createVideo(sql: SqlStorage, input: VideoInput, nowSim: number): VideoRow {
  const id = input.id ?? newVideoId();
  const row: VideoRow = {
    id,
    channel_id: input.channelId,
    description: input.description ?? "",
    tags: input.tags ? JSON.stringify(input.tags) : null,
    category_id: input.categoryId ?? "22",
    default_language: input.defaultLanguage ?? null,
    default_audio_language: input.defaultAudioLanguage ?? null,
    privacy_status: input.privacyStatus ?? "public",
    published_sim: input.publishedAt ?? nowSim - 7 * 86_400_000,
    created_sim: nowSim,
    duration_seconds: input.durationSeconds ?? 480,
    views_per_day: input.viewsPerDay ?? 1000,
    initial_views: input.initialViews ?? 0,
    seed: input.seed ?? crypto.getRandomValues(new Uint32Array(1))[0] ?? 1,
  };
  sql.exec(
    `INSERT INTO videos (id, channel_id, description, tags, category_id, default_language, default_audio_language,
       privacy_status, published_sim, created_sim, duration_seconds, views_per_day, initial_views, seed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    row.channel_id,
    row.description,
    row.tags,
    row.category_id,
    row.default_language,
    row.default_audio_language,
    row.privacy_status,
    row.published_sim,
    row.created_sim,
    row.duration_seconds,
    row.views_per_day,
    row.initial_views,
    row.seed,
  );
  // The first title is live from before accrual starts.
  sql.exec(
    "INSERT INTO titles (video_id, seq, title, set_sim, effective_sim, source) VALUES (?, 0, ?, ?, ?, 'created')",
    id,
    input.title,
    row.published_sim,
    row.published_sim,
  );
  return row;
}

/** A video by id. */
export function getVideo(sql: SqlStorage, id: string): VideoRow | undefined {
  return sql.exec<VideoRow>("SELECT * FROM videos WHERE id = ?", id).toArray()[0];
}

/** Videos by id, in one query (videos.list takes up to 50 ids, within SQLite's 100 bound parameters). */
export function videosByIds(sql: SqlStorage, ids: readonly string[]): Map<string, VideoRow> {
  if (ids.length === 0) return new Map();
  const rows = sql
    .exec<VideoRow>(`SELECT * FROM videos WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids)
    .toArray();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The title timelines of several videos, in one query. */
export function titlesByVideo(sql: SqlStorage, ids: readonly string[]): Map<string, TitleRow[]> {
  const out = new Map<string, TitleRow[]>();
  if (ids.length === 0) return out;
  const rows = sql
    .exec<TitleRow>(
      `SELECT * FROM titles WHERE video_id IN (${ids.map(() => "?").join(",")}) ORDER BY video_id, seq`,
      ...ids,
    )
    .toArray();
  for (const row of rows) {
    const list = out.get(row.video_id) ?? [];
    list.push(row);
    out.set(row.video_id, list);
  }
  return out;
}

/** The videos of a channel, newest first (the order of its uploads playlist). */
export function videosOfChannel(sql: SqlStorage, channelId: string): VideoRow[] {
  return sql
    .exec<VideoRow>("SELECT * FROM videos WHERE channel_id = ? ORDER BY published_sim DESC, id", channelId)
    .toArray();
}

/** A video's title timeline, oldest first. */
export function titlesOf(sql: SqlStorage, videoId: string): TitleRow[] {
  return sql.exec<TitleRow>("SELECT * FROM titles WHERE video_id = ? ORDER BY seq", videoId).toArray();
}

/** The title the API shows: the newest one set (viewers may still see the previous one). */
export function currentTitle(titles: readonly TitleRow[]): string {
  return titles[titles.length - 1]?.title ?? "";
}

/** Appends a title to the timeline; viewers see it after the propagation delay. */
export function setTitle(
  sql: SqlStorage,
  videoId: string,
  title: string,
  nowSim: number,
  propagationSeconds: number,
  source: string,
): void {
  const last = sql
    .exec<{ seq: number; title: string }>(
      "SELECT seq, title FROM titles WHERE video_id = ? ORDER BY seq DESC LIMIT 1",
      videoId,
    )
    .toArray()[0];
  if (last?.title === title) return;
  sql.exec(
    "INSERT INTO titles (video_id, seq, title, set_sim, effective_sim, source) VALUES (?, ?, ?, ?, ?, ?)",
    videoId,
    (last?.seq ?? -1) + 1,
    title,
    nowSim,
    nowSim + propagationSeconds * 1000,
    source,
  );
}

/** The admin-set CTRs of a video's titles. */
export function ctrOverridesOf(sql: SqlStorage, videoId: string): CtrOverride[] {
  return sql
    .exec<{ title: string; ctr: number; from_sim: number }>(
      "SELECT title, ctr, from_sim FROM ctr_overrides WHERE video_id = ?",
      videoId,
    )
    .toArray()
    .map((r) => ({ title: r.title, ctr: r.ctr, from: r.from_sim }));
}

/** Sets a title's CTR from `fromSim` on (past hours keep theirs, so counts stay monotone). */
export function setCtr(sql: SqlStorage, videoId: string, title: string, ctr: number, fromSim: number): void {
  sql.exec(
    "INSERT INTO ctr_overrides (video_id, title, ctr, from_sim) VALUES (?, ?, ?, ?)",
    videoId,
    title,
    ctr,
    fromSim,
  );
}

/** The simulation's view of a video row. */
export function simVideo(row: VideoRow): SimVideo {
  return {
    seed: row.seed,
    viewsPerDay: row.views_per_day,
    publishedAt: row.published_sim,
    createdAt: row.created_sim,
    durationSeconds: row.duration_seconds,
  };
}

/** The spans viewers saw, in order of when they took effect. */
export function titleSpans(titles: readonly TitleRow[]): TitleSpan[] {
  return titles
    .map((t) => ({ title: t.title, effectiveAt: t.effective_sim }))
    .sort((a, b) => a.effectiveAt - b.effectiveAt);
}

/** Public statistics of a video at simulated instant `atSim`. */
export function videoStatistics(
  sql: SqlStorage,
  row: VideoRow,
  atSim: number,
  titles = titlesOf(sql, row.id),
) {
  const accrued = accruedSinceCreation(
    row.id,
    simVideo(row),
    titleSpans(titles),
    ctrOverridesOf(sql, row.id),
    atSim,
  );
  const views = row.initial_views + accrued.views;
  return {
    viewCount: views,
    likeCount: Math.floor(views * likeRate(row.seed)),
    commentCount: Math.floor(views * 0.0015),
  };
}
