import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CallReport } from "../../worker/youtube/client";
import { cacheKey } from "../../worker/youtube/response-cache";
import { callLog, clientFor, createCreator, emulatorAdmin, userOf } from "./youtube-fixtures";

describe("YouTube client: reads", () => {
  it("reads the signed-in creator's channel and caches it per user", async () => {
    const creator = await createCreator({ videos: 2 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    const channel = await client.getMyChannel(user);
    expect(channel.id).toBe(creator.channelId);
    expect(channel.uploadsPlaylistId).toBe(`UU${creator.channelId.slice(2)}`);
    expect(channel.statistics?.videoCount).toBe(2);
    await client.getMyChannel(user);
    expect((await callLog(creator.project.id)).filter((c) => c.method === "channels.list")).toHaveLength(1);
    expect(await env.CACHE.get(cacheKey(user.id, "channel", "mine"))).not.toBeNull();
  });

  it("pages through the uploads playlist", async () => {
    const creator = await createCreator({ videos: 7 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    const first = await client.listUploads(user, { maxResults: 3 });
    expect(first.items.map((u) => u.videoId)).toEqual(creator.videos.slice(0, 3).map((v) => v.id));
    expect(first.totalResults).toBe(7);
    expect(first.nextPageToken).toBeTruthy();
    const second = await client.listUploads(user, { maxResults: 3, pageToken: first.nextPageToken });
    expect(second.items.map((u) => u.videoId)).toEqual(creator.videos.slice(3, 6).map((v) => v.id));
    const all = await client.listAllUploads(user);
    expect(all.map((u) => u.videoId)).toEqual(creator.videos.map((v) => v.id));
    expect(all[0]).toMatchObject({ title: "Upload 1", position: 0 });
  });

  it("batches video ids into calls of at most 50", async () => {
    const creator = await createCreator({ videos: 60 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    const ids = [
      ...creator.videos.map((v) => v.id),
      ...Array.from({ length: 60 }, (_, i) => `absent${String(i).padStart(5, "0")}`),
    ];
    const videos = await client.getVideos(user, ids, { fresh: true });
    expect(videos.map((v) => v.id).sort()).toEqual(creator.videos.map((v) => v.id).sort());
    const lists = (await callLog(creator.project.id)).filter((c) => c.method === "videos.list");
    expect(lists.map((c) => c.videoId?.split(",").length).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      20, 50, 50,
    ]);
    expect(lists.every((c) => c.status === 200 && c.units === 1)).toBe(true);
    expect(gate.reserved.filter((r) => r.units === 1)).toHaveLength(3);
    const video = videos.find((v) => v.id === creator.videos[0]?.id);
    expect(video?.statistics?.viewCount).toBeTypeOf("number");
    expect(video?.snippet?.tags).toEqual(["cooking", "tag0"]);
  });

  it("serves dashboard reads from KV and never one user's cache to another", async () => {
    const alice = await createCreator({ videos: 1 });
    const bob = await createCreator({ videos: 1 });
    const aliceUser = await userOf(alice);
    const bobUser = await userOf(bob);
    const a = clientFor(alice);
    const b = clientFor(bob);
    const video = alice.videos[0] as { id: string };
    await a.client.getVideos(aliceUser, [video.id]);
    await a.client.getVideos(aliceUser, [video.id]);
    expect((await callLog(alice.project.id)).filter((c) => c.method === "videos.list")).toHaveLength(1);
    // Bob asks for the same public video: his own call, never Alice's cached copy.
    const seenByBob = await b.client.getVideos(bobUser, [video.id]);
    expect(seenByBob).toHaveLength(1);
    expect((await callLog(bob.project.id)).filter((c) => c.method === "videos.list")).toHaveLength(1);
    expect((await b.client.getMyChannel(bobUser)).id).toBe(bob.channelId);
    expect((await a.client.getMyChannel(aliceUser)).id).toBe(alice.channelId);
  });

  it("reads public statistics with the API key the ledger grants", async () => {
    const creator = await createCreator({ videos: 3 });
    const { client, gate } = clientFor(creator);
    const videos = await client.getPublicVideos(creator.videos.map((v) => v.id));
    expect(videos).toHaveLength(3);
    const log = await callLog(creator.project.id);
    expect(log.map((c) => [c.method, c.units])).toEqual([["videos.list", 1]]);
    expect(gate.reserved[0]).toMatchObject({ units: 1, priority: "background" });
    expect(gate.reserved[0]?.project).toBeUndefined();
  });

  it("reads a video's daily Analytics once the days are past YouTube's delay", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    const video = creator.videos[0] as { id: string };
    const clock = await emulatorAdmin<{ nowMs: number }>("GET", "/clock");
    const start = new Date(clock.nowMs).toISOString().slice(0, 10);
    // Simulated time only moves forward; other tests don't depend on its value.
    await emulatorAdmin("PUT", "/clock", { advanceSeconds: 5 * 86_400 });
    const end = new Date(clock.nowMs + 6 * 86_400_000).toISOString().slice(0, 10);
    const days = await client.getDailyVideoMetrics(user, video.id, start, end);
    expect(days.length).toBeGreaterThanOrEqual(2);
    for (const d of days) {
      expect(d.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(d.views).toBeGreaterThanOrEqual(0);
      expect(d.estimatedMinutesWatched).toBeGreaterThanOrEqual(0);
      // Minutes are only watched by viewers; the average duration is minutes over views, in seconds.
      if (d.views === 0) expect(d.estimatedMinutesWatched).toBe(0);
      // Both are rounded (minutes to the minute, the average to the second).
      else
        expect(
          Math.abs(d.averageViewDuration - (d.estimatedMinutesWatched * 60) / d.views),
        ).toBeLessThanOrEqual(1 + 30 / d.views);
    }
    expect(days.some((d) => d.views > 0)).toBe(true);
    // Only what Google serves per video and day was asked: no thumbnail-impression metrics.
    const asked = (await callLog(creator.project.id)).filter((c) => c.method === "analytics.reports");
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((c) => c.status === 200)).toBe(true);
    // Analytics costs no Data API units.
    expect(
      (await callLog(creator.project.id))
        .filter((c) => c.method === "analytics.reports")
        .every((c) => c.units === 0),
    ).toBe(true);
  });
});

describe("YouTube client: updating a title", () => {
  it("changes only the title and keeps description, tags and languages", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    const video = creator.videos[0] as { id: string };
    const [before] = await client.getVideos(user, [video.id], { fresh: true });
    const updated = await client.updateVideoTitle(user, video.id, "A better title");
    expect(updated.snippet?.title).toBe("A better title");
    const [after] = await client.getVideos(user, [video.id], { fresh: true });
    expect(after?.snippet).toEqual({
      ...before?.snippet,
      title: "A better title",
      localized: { title: "A better title", description: before?.snippet?.description },
    });
    expect(after?.snippet?.tags).toEqual(["cooking", "tag0"]);
    expect(after?.snippet?.defaultAudioLanguage).toBe("en-US");
  });

  it("reads the snippet fresh, never from the dashboard cache", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    const video = creator.videos[0] as { id: string };
    await client.getVideos(user, [video.id]); // now cached with the old description
    // The creator edits the description in Studio meanwhile.
    await emulatorAdmin("PATCH", `/videos/${video.id}`, {
      description: "Edited in Studio a minute ago",
      tags: ["new-tag"],
    });
    await client.updateVideoTitle(user, video.id, "Rotated title");
    const timeline = await emulatorAdmin<{ titles: { title: string }[] }>(
      "GET",
      `/videos/${video.id}/timeline`,
    );
    expect(timeline.titles.map((t) => t.title)).toEqual(["Upload 1", "Rotated title"]);
    const [after] = await client.getVideos(user, [video.id]);
    expect(after?.snippet?.description).toBe("Edited in Studio a minute ago");
    expect(after?.snippet?.tags).toEqual(["new-tag"]);
    expect(after?.snippet?.title).toBe("Rotated title");
    const log = (await callLog(creator.project.id)).map((c) => [c.method, c.units]);
    expect(log).toEqual([
      ["videos.list", 1], // dashboard read
      ["videos.list", 1], // fresh pre-update read
      ["videos.update", 50],
      ["videos.list", 1], // the cache was invalidated by the update
    ]);
  });

  it("refuses an invalid title before spending any quota", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    await expect(
      client.updateVideoTitle(user, creator.videos[0]?.id as string, "x".repeat(101)),
    ).rejects.toMatchObject({ kind: "invalid_request" });
    await expect(
      client.updateVideoTitle(user, creator.videos[0]?.id as string, "no <tags>"),
    ).rejects.toMatchObject({ kind: "invalid_request" });
    expect(gate.reserved).toHaveLength(0);
    expect(await callLog(creator.project.id)).toHaveLength(0);
  });
});

describe("YouTube client: tokens and quota accounting", () => {
  it("refreshes the access token once and reuses it from KV", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, requests } = clientFor(creator);
    await client.getVideos(user, [creator.videos[0]?.id as string], { fresh: true });
    await client.getVideos(user, [creator.videos[0]?.id as string], { fresh: true });
    await client.getMyChannel(user);
    expect(requests.filter((p) => p === "/token")).toHaveLength(1);
  });

  it("refreshes ahead of expiry: a token with under 5 minutes left is never used", async () => {
    const creator = await createCreator({ videos: 1, accessTokenTtlSeconds: 240 });
    const user = await userOf(creator);
    const { client, requests } = clientFor(creator);
    await client.getVideos(user, [creator.videos[0]?.id as string], { fresh: true });
    await client.getVideos(user, [creator.videos[0]?.id as string], { fresh: true });
    expect(requests.filter((p) => p === "/token")).toHaveLength(2);
  });

  it("settles with the ledger exactly the units the emulator charged", async () => {
    const creator = await createCreator({ videos: 3 });
    const other = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const reports: CallReport[] = [];
    const { client, gate } = clientFor(creator, { onCall: (r) => reports.push(r) });
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: creator.project.id,
      failNext: 1,
      status: 503,
    });
    await client.getMyChannel(user);
    await client.listAllUploads(user);
    await client.getVideos(
      user,
      creator.videos.map((v) => v.id),
      { fresh: true },
    );
    await client.updateVideoTitle(user, creator.videos[1]?.id as string, "Settled title");
    await expect(
      client.updateVideoTitle(user, other.videos[0]?.id as string, "Not mine"),
    ).rejects.toMatchObject({ kind: "forbidden" });
    await client.getPublicVideos(creator.videos.map((v) => v.id));
    const logged = (await callLog(creator.project.id)).reduce((sum, c) => sum + c.units, 0);
    expect(gate.unitsSettled(creator.project.id)).toBe(logged);
    expect(logged).toBe(1 + 1 + (1 + 1) + (1 + 50) + (1 + 1) + 1);
    expect(gate.open).toBe(0);
    // Every attempt reported its cost, and the reports add up to the same units.
    expect(reports.filter((r) => r.project === creator.project.id).reduce((sum, r) => sum + r.units, 0)).toBe(
      logged,
    );
    expect(gate.settled.map((s) => s.outcome)).toContain("error");
  });
});
