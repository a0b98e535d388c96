import { describe, expect, it } from "vitest";
import { YouTubeError } from "../../worker/youtube/errors";
import {
  authorizationUrl,
  fetchUserInfo,
  refreshAccessToken,
  revokeToken,
  verifyIdToken,
} from "../../worker/youtube/oauth";
import { createCreator, endpoints, oauthDeps, signIn, unique } from "./youtube-fixtures";

describe("Google sign-in through the client", () => {
  it("builds the consent URL with PKCE S256, state, offline access and the product's scopes", () => {
    const url = new URL(
      authorizationUrl(endpoints, {
        clientId: "cid",
        redirectUri: "http://app.test/cb",
        state: "st",
        codeChallenge: "ch",
        nonce: "n",
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(`${endpoints.accounts}/o/oauth2/v2/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: "cid",
      redirect_uri: "http://app.test/cb",
      response_type: "code",
      state: "st",
      code_challenge: "ch",
      code_challenge_method: "S256",
      access_type: "offline",
      nonce: "n",
    });
    expect(url.searchParams.get("scope")?.split(" ")).toEqual([
      "openid",
      "email",
      "profile",
      "https://www.googleapis.com/auth/youtube",
      "https://www.googleapis.com/auth/yt-analytics.readonly",
    ]);
  });

  it("exchanges the code and verifies the ID token against the JWKS", async () => {
    const creator = await createCreator({ videos: 0 });
    const nonce = unique("nonce");
    const tokens = await signIn(creator, nonce);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const identity = await verifyIdToken(endpoints, tokens.idToken as string, {
      clientId: creator.project.clientId,
      nonce,
    });
    expect(identity).toEqual({
      sub: creator.sub,
      email: creator.email,
      emailVerified: true,
      name: "Client Test",
      picture: expect.any(String),
      nonce,
    });
  });

  it("reads the profile from userinfo, and reports a dead token as auth_revoked", async () => {
    const creator = await createCreator({ videos: 0 });
    const tokens = await signIn(creator);
    expect(await fetchUserInfo(oauthDeps(), tokens.accessToken)).toEqual({
      sub: creator.sub,
      email: creator.email,
      emailVerified: true,
      name: "Client Test",
      picture: expect.any(String),
    });
    await expect(fetchUserInfo(oauthDeps(), "ya29.dead")).rejects.toMatchObject({ kind: "auth_revoked" });
  });

  it("rejects an ID token meant for another client or another sign-in", async () => {
    const creator = await createCreator({ videos: 0 });
    const tokens = await signIn(creator, "the-nonce");
    await expect(
      verifyIdToken(endpoints, tokens.idToken as string, { clientId: "someone-else" }),
    ).rejects.toBeInstanceOf(YouTubeError);
    await expect(
      verifyIdToken(endpoints, tokens.idToken as string, {
        clientId: creator.project.clientId,
        nonce: "other",
      }),
    ).rejects.toMatchObject({
      kind: "invalid_request",
    });
    const tampered = `${tokens.idToken?.slice(0, -4)}AAAA`;
    await expect(
      verifyIdToken(endpoints, tampered, { clientId: creator.project.clientId }),
    ).rejects.toBeInstanceOf(YouTubeError);
  });

  it("refreshes, revokes, and then reports auth_revoked", async () => {
    const creator = await createCreator({ videos: 0 });
    const tokens = await signIn(creator);
    const refreshed = await refreshAccessToken(oauthDeps(), creator.project, tokens.refreshToken as string);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    await revokeToken(oauthDeps(), tokens.refreshToken as string);
    // Revoking twice is fine.
    await revokeToken(oauthDeps(), tokens.refreshToken as string);
    await expect(
      refreshAccessToken(oauthDeps(), creator.project, tokens.refreshToken as string),
    ).rejects.toMatchObject({
      kind: "auth_revoked",
      reason: "invalid_grant",
    });
  });

  it("classifies a wrong client secret as invalid_request (a configuration error, not the user's)", async () => {
    const creator = await createCreator({ videos: 0 });
    const tokens = await signIn(creator);
    await expect(
      refreshAccessToken(
        oauthDeps(),
        { clientId: creator.project.clientId, clientSecret: "wrong" },
        tokens.refreshToken as string,
      ),
    ).rejects.toMatchObject({ kind: "invalid_request", reason: "invalid_client" });
  });
});
