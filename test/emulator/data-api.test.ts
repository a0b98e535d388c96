import { describe, expect, it } from "vitest";
import {
  admin,
  call,
  type GoogleErrorBody,
  type ListBody,
  ORIGIN,
  signIn,
  type VideoItem,
  withToken,
  world,
} from "./fixtures";

const ALL_PARTS = "snippet,statistics,status,contentDetails";

describe("videos.list", () => {
  it("answers a youtube#videoListResponse shaped like Google's reference example", async () => {
    const w = await world({ videoCount: 1 });
    const video = w.videos[0] as { id: string };
    const res = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=${ALL_PARTS}&id=${video.id}&key=${w.project.apiKey}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(Object.keys(res.body)).toEqual(["kind", "etag", "pageInfo", "items"]);
    expect(res.body.kind).toBe("youtube#videoListResponse");
    expect(res.body.pageInfo).toEqual({ totalResults: 1, resultsPerPage: 1 });
    const item = res.body.items[0] as VideoItem;
    expect(Object.keys(item)).toEqual([
      "kind",
      "etag",
      "id",
      "snippet",
      "contentDetails",
      "status",
      "statistics",
    ]);
    expect(item.kind).toBe("youtube#video");
    expect(item.id).toBe(video.id);
    expect(item.snippet).toMatchObject({
      channelId: w.channel.id,
      title: "Video 1",
      description: "Description 1",
      channelTitle: "Test Channel",
      tags: ["a", "b"],
      categoryId: "27",
      liveBroadcastContent: "none",
      defaultLanguage: "en",
      localized: { title: "Video 1", description: "Description 1" },
      defaultAudioLanguage: "en",
    });
    expect(item.snippet?.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Object.keys(item.snippet?.thumbnails ?? {})).toEqual([
      "default",
      "medium",
      "high",
      "standard",
      "maxres",
    ]);
    expect(item.snippet?.thumbnails.default).toEqual({
      url: `${ORIGIN}/vi/${video.id}/default.svg`,
      width: 120,
      height: 90,
    });
    expect(item.statistics).toEqual({
      viewCount: expect.stringMatching(/^\d+$/),
      likeCount: expect.stringMatching(/^\d+$/),
      favoriteCount: "0",
      commentCount: expect.stringMatching(/^\d+$/),
    });
    expect(item.status).toEqual({
      uploadStatus: "processed",
      privacyStatus: "public",
      license: "youtube",
      embeddable: true,
      publicStatsViewable: true,
      madeForKids: false,
    });
    expect(item.contentDetails).toMatchObject({
      duration: "PT8M",
      dimension: "2d",
      definition: "hd",
      caption: "false",
      projection: "rectangular",
    });
  });

  it("returns only the parts asked for, and leaves unknown ids out", async () => {
    const w = await world({ videoCount: 2 });
    const ids = [...w.videos.map((v) => v.id), "doesNotExis"].join(",");
    const res = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=statistics&id=${ids}&key=${w.project.apiKey}`,
    );
    expect(res.body.items.map((i) => i.id).sort()).toEqual(w.videos.map((v) => v.id).sort());
    expect(Object.keys(res.body.items[0] as VideoItem)).toEqual(["kind", "etag", "id", "statistics"]);
  });

  it("takes 50 ids and rejects 51 with a 400", async () => {
    const w = await world({ videoCount: 1 });
    const fifty = Array.from({ length: 50 }, (_, i) =>
      i === 0 ? (w.videos[0] as { id: string }).id : `missing${String(i).padStart(4, "0")}`,
    );
    const ok = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=id&id=${fifty.join(",")}&key=${w.project.apiKey}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.items).toHaveLength(1);
    const tooMany = await call<GoogleErrorBody>(
      `/youtube/v3/videos?part=id&id=${[...fifty, "one-more-id"].join(",")}&key=${w.project.apiKey}`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe(400);
    expect(tooMany.body.error.errors[0]).toMatchObject({
      domain: "youtube.parameter",
      reason: "invalidFilters",
    });
  });

  it("hides private videos from API-key reads but shows them to their owner", async () => {
    const w = await world({ videoCount: 1, video: { privacyStatus: "private" } });
    const id = (w.videos[0] as { id: string }).id;
    const byKey = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=status&id=${id}&key=${w.project.apiKey}`,
    );
    expect(byKey.body.items).toHaveLength(0);
    const tokens = await signIn(w);
    const byOwner = await withToken<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=status&id=${id}`,
      tokens.access_token,
    );
    expect(byOwner.body.items[0]?.status?.privacyStatus).toBe("private");
  });
});

describe("authentication errors", () => {
  it("answers an unknown API key with 400 keyInvalid", async () => {
    const res = await call<GoogleErrorBody>("/youtube/v3/videos?part=id&id=abc&key=not-a-key");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 400,
        message: "Bad Request",
        errors: [{ message: "Bad Request", domain: "usageLimits", reason: "keyInvalid" }],
      },
    });
  });

  it("answers a bad bearer token with 401 and Google's authError body", async () => {
    const res = await withToken<GoogleErrorBody>("/youtube/v3/channels?part=id&mine=true", "ya29.expired");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(401);
    expect(res.body.error.status).toBe("UNAUTHENTICATED");
    expect(res.body.error.errors[0]).toMatchObject({
      domain: "global",
      reason: "authError",
      location: "Authorization",
    });
    expect(res.headers.get("www-authenticate")).toContain("invalid_token");
  });

  it("answers 401 for an access token past its lifetime", async () => {
    const w = await world({ videoCount: 0 });
    await admin("POST", "/projects", { ...w.project, accessTokenTtlSeconds: 1 });
    const tokens = await signIn(w);
    expect(tokens.expires_in).toBe(1);
    expect((await withToken("/youtube/v3/channels?part=id&mine=true", tokens.access_token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await withToken("/youtube/v3/channels?part=id&mine=true", tokens.access_token)).status).toBe(401);
  });
});

describe("channels.list and playlistItems.list", () => {
  it("answers mine=true with the user's channel and its uploads playlist", async () => {
    const w = await world({ videoCount: 2 });
    const tokens = await signIn(w);
    const res = await withToken<
      ListBody<{
        kind: string;
        id: string;
        snippet: Record<string, unknown>;
        contentDetails: { relatedPlaylists: { uploads: string } };
        statistics: Record<string, unknown>;
      }>
    >("/youtube/v3/channels?part=snippet,contentDetails,statistics&mine=true", tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("youtube#channelListResponse");
    const channel = res.body.items[0];
    expect(channel?.kind).toBe("youtube#channel");
    expect(channel?.id).toBe(w.channel.id);
    expect(channel?.contentDetails.relatedPlaylists.uploads).toBe(`UU${w.channel.id.slice(2)}`);
    expect(channel?.snippet).toMatchObject({ title: "Test Channel", customUrl: "@testchannel" });
    expect(channel?.statistics).toMatchObject({
      videoCount: "2",
      hiddenSubscriberCount: false,
      subscriberCount: "1000",
    });
  });

  it("pages the uploads playlist newest first with page tokens", async () => {
    const w = await world({ videoCount: 5 });
    const tokens = await signIn(w);
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const res = await withToken<
        ListBody<{
          kind: string;
          snippet: { position: number; resourceId: { kind: string; videoId: string } };
          contentDetails: { videoId: string };
        }>
      >(
        `/youtube/v3/playlistItems?part=snippet,contentDetails&playlistId=${w.channel.uploadsPlaylistId}&maxResults=2${pageToken ? `&pageToken=${pageToken}` : ""}`,
        tokens.access_token,
      );
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe("youtube#playlistItemListResponse");
      expect(res.body.pageInfo).toEqual({ totalResults: 5, resultsPerPage: 2 });
      for (const item of res.body.items) {
        expect(item.kind).toBe("youtube#playlistItem");
        expect(item.snippet.resourceId.kind).toBe("youtube#video");
        expect(item.snippet.position).toBe(seen.length);
        seen.push(item.contentDetails.videoId);
      }
      pageToken = res.body.nextPageToken ?? "";
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    // world() publishes video i at (i + 1) days ago: newest first is creation order.
    expect(seen).toEqual(w.videos.map((v) => v.id));
  });

  it("rejects maxResults above 50 and a bad page token", async () => {
    const w = await world({ videoCount: 1 });
    const big = await call<GoogleErrorBody>(
      `/youtube/v3/playlistItems?part=id&playlistId=${w.channel.uploadsPlaylistId}&maxResults=51&key=${w.project.apiKey}`,
    );
    expect(big.status).toBe(400);
    const badToken = await call<GoogleErrorBody>(
      `/youtube/v3/playlistItems?part=id&playlistId=${w.channel.uploadsPlaylistId}&pageToken=zzz&key=${w.project.apiKey}`,
    );
    expect(badToken.status).toBe(400);
    expect(badToken.body.error.errors[0]?.reason).toBe("invalidPageToken");
    const missing = await call<GoogleErrorBody>(
      `/youtube/v3/playlistItems?part=id&playlistId=UUnope&key=${w.project.apiKey}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.errors[0]?.reason).toBe("playlistNotFound");
  });
});

describe("videos.update part=snippet", () => {
  async function update(token: string, body: unknown) {
    return withToken<VideoItem & GoogleErrorBody>("/youtube/v3/videos?part=snippet", token, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it("replaces the snippet: omitted description, tags and languages are wiped", async () => {
    const w = await world({ videoCount: 1 });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    const res = await update(tokens.access_token, { id, snippet: { title: "New title", categoryId: "27" } });
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("youtube#video");
    expect(Object.keys(res.body)).toEqual(["kind", "etag", "id", "snippet"]);
    expect(res.body.snippet?.title).toBe("New title");
    const after = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=snippet&id=${id}&key=${w.project.apiKey}`,
    );
    const snippet = after.body.items[0]?.snippet;
    expect(snippet?.title).toBe("New title");
    expect(snippet?.description).toBe("");
    expect(snippet?.tags).toBeUndefined();
    expect(snippet?.defaultLanguage).toBeUndefined();
    expect(snippet?.defaultAudioLanguage).toBeUndefined();
  });

  it("keeps every field that is sent back", async () => {
    const w = await world({ videoCount: 1 });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    const before = (
      await withToken<ListBody<VideoItem>>(`/youtube/v3/videos?part=snippet&id=${id}`, tokens.access_token)
    ).body.items[0]?.snippet;
    const res = await update(tokens.access_token, {
      id,
      snippet: { ...before, title: "Only the title changed" },
    });
    expect(res.status).toBe(200);
    const after = (
      await withToken<ListBody<VideoItem>>(`/youtube/v3/videos?part=snippet&id=${id}`, tokens.access_token)
    ).body.items[0]?.snippet;
    expect(after).toEqual({
      ...before,
      title: "Only the title changed",
      localized: { title: "Only the title changed", description: before?.description },
    });
  });

  it.each([
    ["empty", ""],
    ["101 characters", "x".repeat(101)],
    ["with <", "a <b> title"],
  ])("rejects a title that is %s with 400 invalidTitle", async (_name, title) => {
    const w = await world({ videoCount: 1 });
    const tokens = await signIn(w);
    const res = await update(tokens.access_token, {
      id: w.videos[0]?.id,
      snippet: { title, categoryId: "27" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.errors[0]).toMatchObject({ domain: "youtube.video", reason: "invalidTitle" });
  });

  it("accepts exactly 100 characters and requires categoryId", async () => {
    const w = await world({ videoCount: 1 });
    const tokens = await signIn(w);
    expect(
      (
        await update(tokens.access_token, {
          id: w.videos[0]?.id,
          snippet: { title: "é".repeat(100), categoryId: "27" },
        })
      ).status,
    ).toBe(200);
    const noCategory = await update(tokens.access_token, { id: w.videos[0]?.id, snippet: { title: "Fine" } });
    expect(noCategory.status).toBe(400);
    expect(noCategory.body.error.errors[0]?.reason).toBe("invalidCategoryId");
  });

  it("answers 403 forbidden for another creator's video and 404 for an unknown one", async () => {
    const owner = await world({ videoCount: 1 });
    const other = await world({ videoCount: 0 });
    const tokens = await signIn(other);
    const res = await update(tokens.access_token, {
      id: owner.videos[0]?.id,
      snippet: { title: "Hijack", categoryId: "22" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.errors[0]).toMatchObject({ domain: "youtube.video", reason: "forbidden" });
    const missing = await update(tokens.access_token, {
      id: "zzzzzzzzzzz",
      snippet: { title: "x", categoryId: "22" },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.errors[0]?.reason).toBe("videoNotFound");
  });

  it("needs a user: an API key alone gets 401", async () => {
    const w = await world({ videoCount: 1 });
    const res = await call<GoogleErrorBody>(`/youtube/v3/videos?part=snippet&key=${w.project.apiKey}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: w.videos[0]?.id, snippet: { title: "x", categoryId: "22" } }),
    });
    expect(res.status).toBe(401);
  });

  it("records each title in the timeline with its propagation delay", async () => {
    const w = await world({ videoCount: 1 });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    await update(tokens.access_token, { id, snippet: { title: "Second", categoryId: "27" } });
    const timeline = await admin<{
      titles: { title: string; setAt: string; effectiveAt: string; source: string }[];
    }>("GET", `/videos/${id}/timeline`);
    expect(timeline.titles.map((t) => [t.title, t.source])).toEqual([
      ["Video 1", "created"],
      ["Second", "api"],
    ]);
    const second = timeline.titles[1] as { setAt: string; effectiveAt: string };
    expect(Date.parse(second.effectiveAt) - Date.parse(second.setAt)).toBe(120_000);
  });
});
