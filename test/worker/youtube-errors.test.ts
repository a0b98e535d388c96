import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextPacificReset } from "../../worker/quota/pacific-day";
import { YouTubeError } from "../../worker/youtube/errors";
import { callLog, clientFor, createCreator, emulatorAdmin, userOf } from "./youtube-fixtures";

async function failure(promise: Promise<unknown>): Promise<YouTubeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof YouTubeError) return err;
    throw err;
  }
  throw new Error("expected a YouTubeError");
}

describe("transient errors", () => {
  it("retries 5xx with exponential backoff and jitter, then succeeds", async () => {
    const creator = await createCreator({ videos: 1 });
    const { client, sleeps, gate } = clientFor(creator);
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: creator.project.id,
      failNext: 2,
      status: 503,
    });
    const videos = await client.getPublicVideos([creator.videos[0]?.id as string]);
    expect(videos).toHaveLength(1);
    // random() = 0.999 of the ceilings base·2^(n−1): 100 ms, then 200 ms.
    expect(sleeps).toEqual([99, 199]);
    expect((await callLog(creator.project.id)).map((c) => c.status)).toEqual([503, 503, 200]);
    expect(gate.settled.map((s) => [s.units, s.outcome])).toEqual([
      [1, "error"],
      [1, "error"],
      [1, "ok"],
    ]);
  });

  it("gives up after the last attempt with a transient error", async () => {
    const creator = await createCreator({ videos: 1 });
    const { client } = clientFor(creator);
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: creator.project.id,
      failNext: 5,
      status: 500,
    });
    const err = await failure(client.getPublicVideos([creator.videos[0]?.id as string]));
    expect(err.kind).toBe("transient");
    expect(err.status).toBe(500);
    expect(await callLog(creator.project.id)).toHaveLength(3);
  });

  it("treats a timeout as transient", async () => {
    const creator = await createCreator({ videos: 1 });
    const { client, gate } = clientFor(creator, {
      timeoutMs: 300,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: creator.project.id,
      latencyMs: 5_000,
    });
    const err = await failure(client.getPublicVideos([creator.videos[0]?.id as string]));
    expect(err.kind).toBe("transient");
    expect(err.message).toContain("timed out");
    // The emulator received and charged both attempts; the client settled each at the full cost.
    expect(gate.settled.map((s) => s.units)).toEqual([1, 1]);
    await emulatorAdmin("DELETE", `/faults?project=${creator.project.id}`);
  });

  it("books a timed-out title change at its full 50 units: YouTube applied it behind the timeout", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const videoId = creator.videos[0]?.id as string;
    const { client, gate } = clientFor(creator, {
      timeoutMs: 300,
      retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    });
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.update",
      project: creator.project.id,
      latencyMs: 1_000,
    });
    try {
      const err = await failure(client.updateVideoTitle(user, videoId, "Applied behind a timeout"));
      expect(err.kind).toBe("transient");
      expect(gate.settled.at(-1)).toMatchObject({ units: 50, outcome: "error" });
      // The emulator answers late, but it applied and charged the change: the ledger's count is YouTube's.
      let charged: number | undefined;
      for (let i = 0; i < 50 && charged === undefined; i++) {
        charged = (await callLog(creator.project.id)).find((c) => c.method === "videos.update")?.units;
        if (charged === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(charged).toBe(50);
    } finally {
      await emulatorAdmin("DELETE", `/faults?project=${creator.project.id}`);
    }
  });
});

describe("quota errors", () => {
  it("classifies YouTube's quotaExceeded as quota_exhausted until the Pacific reset, and tells the ledger", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    await emulatorAdmin("POST", `/projects/${creator.project.id}/exhaust`);
    const err = await failure(client.getVideos(user, [creator.videos[0]?.id as string], { fresh: true }));
    expect(err.kind).toBe("quota_exhausted");
    expect(err.reason).toBe("quotaExceeded");
    expect(err.retryAt).toBe(nextPacificReset(Date.now()));
    expect(gate.settled).toEqual([expect.objectContaining({ units: 0, outcome: "quotaExceeded" })]);
    // Never retried.
    expect(await callLog(creator.project.id)).toHaveLength(1);
  });

  it("turns a ledger denial into quota_exhausted with the ledger's retryAt, without calling YouTube", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    const retryAt = Date.now() + 3_600_000;
    gate.deny = { granted: false, reason: "priority_band", retryAt };
    const err = await failure(client.updateVideoTitle(user, creator.videos[0]?.id as string, "Denied"));
    expect(err.kind).toBe("quota_exhausted");
    expect(err.retryAt).toBe(retryAt);
    expect(await callLog(creator.project.id)).toHaveLength(0);
  });

  it("classifies 429 as rate_limited and does not retry it", async () => {
    const creator = await createCreator({ videos: 1 });
    const { client, sleeps } = clientFor(creator);
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: creator.project.id,
      failNext: 1,
      status: 429,
    });
    const err = await failure(client.getPublicVideos([creator.videos[0]?.id as string]));
    expect(err.kind).toBe("rate_limited");
    expect(sleeps).toEqual([]);
    expect(await callLog(creator.project.id)).toHaveLength(1);
  });
});

describe("auth errors", () => {
  it("answers auth_revoked when the user removed the app's access, and forgets the cached token", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    await client.getMyChannel(user, { fresh: true });
    expect(await env.CACHE.get(`yt:access:${user.id}`)).not.toBeNull();
    await emulatorAdmin("POST", `/accounts/${encodeURIComponent(creator.email)}/revoke`);
    // The cached access token now gets 401; the refresh then gets invalid_grant.
    const err = await failure(client.getMyChannel(user, { fresh: true }));
    expect(err.kind).toBe("auth_revoked");
    expect(err.reason).toBe("invalid_grant");
    expect(await env.CACHE.get(`yt:access:${user.id}`)).toBeNull();
    // The 401 and the refused refresh cost nothing, and the ledger is told exactly that.
    const logged = (await callLog(creator.project.id)).reduce((sum, c) => sum + c.units, 0);
    expect(logged).toBe(1);
    expect(gate.unitsSettled(creator.project.id)).toBe(logged);
    expect(gate.open).toBe(0);
  });

  it("recovers from a 401 on a cached token by refreshing once", async () => {
    const creator = await createCreator({ videos: 1 });
    const user = await userOf(creator);
    const { client, requests } = clientFor(creator);
    // A stale token in KV that Google no longer accepts (e.g. revoked by a password change).
    await env.CACHE.put(
      `yt:access:${user.id}`,
      JSON.stringify({ accessToken: "ya29.stale", expiresAt: Date.now() + 3_000_000 }),
    );
    const channel = await client.getMyChannel(user, { fresh: true });
    expect(channel.id).toBe(creator.channelId);
    expect(requests.filter((p) => p === "/token")).toHaveLength(1);
    expect((await callLog(creator.project.id)).map((c) => c.status)).toEqual([200]);
  });
});

describe("request errors", () => {
  it("classifies another creator's video as forbidden and does not retry", async () => {
    const owner = await createCreator({ videos: 1 });
    const intruder = await createCreator({ videos: 0 });
    const user = await userOf(intruder);
    const { client, sleeps } = clientFor(intruder);
    const err = await failure(client.updateVideoTitle(user, owner.videos[0]?.id as string, "Hijacked"));
    expect(err.kind).toBe("forbidden");
    expect(err.status).toBe(403);
    expect(sleeps).toEqual([]);
    expect((await callLog(intruder.project.id)).map((c) => [c.method, c.status])).toEqual([
      ["videos.list", 200],
      ["videos.update", 403],
    ]);
  });

  it("classifies a video that does not exist as not_found without spending the update's 50 units", async () => {
    const creator = await createCreator({ videos: 0 });
    const user = await userOf(creator);
    const { client, gate } = clientFor(creator);
    const err = await failure(client.updateVideoTitle(user, "zzzzzzzzzzz", "Nothing there"));
    expect(err.kind).toBe("not_found");
    expect(gate.reserved.map((r) => r.units)).toEqual([1]);
  });

  it("classifies a 400 as invalid_request", async () => {
    const creator = await createCreator({ videos: 0 });
    const user = await userOf(creator);
    const { client } = clientFor(creator);
    // An uploads page token the API cannot read.
    const err = await failure(client.listUploads(user, { pageToken: "garbage", fresh: true }));
    expect(err.kind).toBe("invalid_request");
    expect(err.reason).toBe("invalidPageToken");
  });
});
