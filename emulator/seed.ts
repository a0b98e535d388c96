import {
  type AccountRow,
  type ChannelRow,
  channelsOf,
  createAccount,
  createChannel,
  createVideo,
  findAccount,
  type VideoRow,
  videosOfChannel,
} from "./catalog";
import { DAY_MS } from "./pacific-time";
import type { ProjectRow } from "./quota";

/**
 * The demo world `npm start` seeds: one creator with a channel of 12 videos of very different
 * traffic, and the default project matching the app's local configuration.
 */

/** The local project: matches project `local-1` of QUOTA_PROJECTS and its emulator-only secrets in wrangler.toml [vars]. */
export const DEFAULT_PROJECT = {
  id: "local-1",
  clientId: "local-client-1",
  clientSecret: "emulator-only-client-secret-local-1",
  apiKey: "emulator-only-api-key-local-1",
  dailyLimit: 10_000,
} as const;

/** The demo creator's Google account. */
export const DEMO_ACCOUNT = {
  sub: "100000000000000000001",
  email: "creator@example.com",
  name: "Demo Creator",
} as const;

const DEMO_VIDEOS: {
  title: string;
  viewsPerDay: number;
  ageDays: number;
  initialViews: number;
  tags?: string[];
}[] = [
  {
    title: "I Tried Every Budget Knife So You Don't Have To",
    viewsPerDay: 24_000,
    ageDays: 3,
    initialViews: 96_000,
    tags: ["knives", "review"],
  },
  {
    title: "The 10-Minute Weeknight Pasta",
    viewsPerDay: 9_000,
    ageDays: 6,
    initialViews: 70_000,
    tags: ["pasta", "quick"],
  },
  { title: "Why Your Bread Doesn't Rise", viewsPerDay: 4_500, ageDays: 12, initialViews: 88_000 },
  {
    title: "Cast Iron Myths, Tested",
    viewsPerDay: 2_400,
    ageDays: 20,
    initialViews: 61_000,
    tags: ["cast iron"],
  },
  { title: "Meal Prep for a Week on $30", viewsPerDay: 1_500, ageDays: 30, initialViews: 52_000 },
  { title: "Sourdough Starter Day by Day", viewsPerDay: 900, ageDays: 45, initialViews: 40_000 },
  { title: "Knife Skills: The Only 5 Cuts You Need", viewsPerDay: 600, ageDays: 60, initialViews: 33_000 },
  { title: "Restaurant Fried Rice at Home", viewsPerDay: 350, ageDays: 90, initialViews: 28_000 },
  { title: "Homemade Ramen From Scratch", viewsPerDay: 200, ageDays: 120, initialViews: 19_000 },
  { title: "Kitchen Tour 2025", viewsPerDay: 120, ageDays: 200, initialViews: 12_000 },
  { title: "Testing Viral TikTok Recipes", viewsPerDay: 60, ageDays: 300, initialViews: 8_000 },
  { title: "My First Video (Pancakes)", viewsPerDay: 15, ageDays: 700, initialViews: 2_100 },
];

/** What `seed` created (or found, when run again). */
export interface SeedResult {
  project: typeof DEFAULT_PROJECT;
  account: AccountRow;
  channel: ChannelRow;
  videos: { id: string; title: string; viewsPerDay: number }[];
}

/** Seeds the demo world; running it again changes nothing. */
export function seedDemo(sql: SqlStorage, nowSim: number): SeedResult {
  const p = DEFAULT_PROJECT;
  sql.exec(
    "INSERT OR IGNORE INTO projects (id, client_id, client_secret, api_key, daily_limit, redirect_uris) VALUES (?, ?, ?, ?, ?, '[]')",
    p.id,
    p.clientId,
    p.clientSecret,
    p.apiKey,
    p.dailyLimit,
  );
  const account = findAccount(sql, DEMO_ACCOUNT.email) ?? createAccount(sql, { ...DEMO_ACCOUNT });
  const channel =
    channelsOf(sql, account.sub)[0] ??
    createChannel(
      sql,
      {
        accountSub: account.sub,
        title: "Demo Kitchen Lab",
        description: "Cooking experiments, tested.",
        subscriberCount: 48_200,
      },
      nowSim,
    );
  let videos: VideoRow[] = videosOfChannel(sql, channel.id);
  if (videos.length === 0) {
    DEMO_VIDEOS.forEach((v, i) => {
      createVideo(
        sql,
        {
          channelId: channel.id,
          title: v.title,
          description: `${v.title}\n\nRecipes and notes: https://example.com/demo/${i + 1}`,
          tags: v.tags,
          categoryId: "26",
          defaultLanguage: "en",
          defaultAudioLanguage: "en",
          publishedAt: nowSim - v.ageDays * DAY_MS,
          viewsPerDay: v.viewsPerDay,
          initialViews: v.initialViews,
          durationSeconds: 360 + 60 * i,
          seed: 1000 + i,
        },
        nowSim,
      );
    });
    videos = videosOfChannel(sql, channel.id);
  }
  return {
    project: p,
    account,
    channel,
    videos: videos.map((v) => ({
      id: v.id,
      title: sql
        .exec<{ title: string }>(
          "SELECT title FROM titles WHERE video_id = ? ORDER BY seq DESC LIMIT 1",
          v.id,
        )
        .one().title,
      viewsPerDay: v.views_per_day,
    })),
  };
}

/** A project row from the admin API's input. */
export function projectRow(input: {
  id: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  dailyLimit?: number;
  redirectUris?: string[];
  accessTokenTtlSeconds?: number;
}): ProjectRow {
  return {
    id: input.id,
    client_id: input.clientId,
    client_secret: input.clientSecret,
    api_key: input.apiKey,
    daily_limit: input.dailyLimit ?? 10_000,
    redirect_uris: JSON.stringify(input.redirectUris ?? []),
    access_token_ttl_seconds: input.accessTokenTtlSeconds ?? null,
  };
}
