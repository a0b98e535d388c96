import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authorizationUrl, createPkce, exchangeCode } from "../../worker/youtube";
import { googleEndpoints } from "../../worker/youtube/endpoints";
import { oauthClientOf, oauthDeps, youtubeClient } from "../../worker/youtube/from-env";
import { callLog, emulatorAdmin, unique } from "./youtube-fixtures";

/**
 * The client wired as in production (`youtubeClient(env)`): the project's OAuth client from
 * QUOTA_PROJECTS and its secret binding, the real QuotaLedger Durable Object as the gate (a ledger
 * of this test's own, so no other test shares its quota), against the emulator's seeded demo
 * creator and project `local-1`.
 */
describe("YouTube client with the QuotaLedger", () => {
  async function signedInDemoCreator() {
    await emulatorAdmin("POST", "/seed");
    const client = await oauthClientOf(env, "local-1");
    const pkce = await createPkce();
    const redirectUri = "http://app.test/api/auth/google/callback";
    const consent = await fetch(
      authorizationUrl(googleEndpoints(env), {
        clientId: client.clientId,
        redirectUri,
        state: "s",
        codeChallenge: pkce.challenge,
        loginHint: "creator@example.com",
      }),
      { redirect: "manual" },
    );
    await consent.body?.cancel();
    const code = new URL(consent.headers.get("location") ?? "http://x").searchParams.get("code") ?? "";
    const tokens = await exchangeCode(oauthDeps(env), client, {
      code,
      codeVerifier: pkce.verifier,
      redirectUri,
    });
    return { id: unique("demo-user"), project: "local-1", refreshToken: tokens.refreshToken ?? "" };
  }

  it("resolves a configured project's OAuth client from QUOTA_PROJECTS and its secret binding", async () => {
    expect(await oauthClientOf(env, "local-1")).toEqual({
      clientId: "local-client-1",
      clientSecret: env.GOOGLE_CLIENT_SECRET_LOCAL_1,
    });
    await expect(oauthClientOf(env, "no-such-project")).rejects.toMatchObject({ kind: "invalid_request" });
  });

  it("spends through the ledger exactly what the emulator charged", async () => {
    const user = await signedInDemoCreator();
    const ledger = env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName(unique("youtube-ledger")));
    const client = youtubeClient(env, { gate: ledger });
    const sinceCount = (await callLog("local-1")).length;

    const uploads = await client.listAllUploads(user, { fresh: true });
    expect(uploads).toHaveLength(12);
    const videos = await client.getVideos(
      user,
      uploads.map((u) => u.videoId),
      { fresh: true },
    );
    expect(videos).toHaveLength(12);
    const target = uploads[5]?.videoId as string;
    const before = videos.find((v) => v.id === target);
    await client.updateVideoTitle(user, target, `Ledger-settled title ${unique("t")}`);
    await client.getPublicVideos(uploads.map((u) => u.videoId));

    const mine = (await callLog("local-1")).slice(sinceCount);
    const charged = mine.reduce((sum, c) => sum + c.units, 0);
    // channels.list + playlistItems.list + videos.list + (videos.list + videos.update) + videos.list (key)
    expect(charged).toBe(1 + 1 + 1 + 1 + 50 + 1);
    const status = await ledger.status();
    const local = status.projects.find((p) => p.id === "local-1");
    expect(local?.used).toBe(charged);
    expect(local?.reserved).toBe(0);
    const [after] = await client.getVideos(user, [target], { fresh: true });
    expect(after?.snippet?.description).toBe(before?.snippet?.description);
    expect(after?.snippet?.tags).toEqual(before?.snippet?.tags);
  });
});
