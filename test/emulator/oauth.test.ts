import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  admin,
  authorize,
  call,
  ORIGIN,
  REDIRECT_URI,
  SCOPES,
  s256,
  signIn,
  tokenRequest,
  unique,
  withToken,
  world,
} from "./fixtures";

async function jwks(): Promise<JSONWebKeySet> {
  return (await call<JSONWebKeySet>("/oauth2/v3/certs")).body;
}

describe("OAuth consent", () => {
  it("lists the accounts on the consent page when no login_hint is given", async () => {
    const w = await world({ videoCount: 0 });
    const q = new URLSearchParams({
      client_id: w.project.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: SCOPES,
      state: "s",
    });
    const res = await call<string>(`/o/oauth2/v2/auth?${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain(w.account.email);
    // Each account links back to the same request with login_hint set.
    expect(res.body).toContain(`login_hint=${encodeURIComponent(w.account.email)}`);
  });

  it("redirects to redirect_uri with a code and the same state when login_hint names an account", async () => {
    const w = await world({ videoCount: 0 });
    const { code, state, location } = await authorize(w);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(code).toMatch(/^4\/.{20,}/);
    expect(state).toBe("st-123");
  });

  it("refuses an unknown OAuth client", async () => {
    const q = new URLSearchParams({
      client_id: "nobody.apps.googleusercontent.com",
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: SCOPES,
    });
    const res = await call<string>(`/o/oauth2/v2/auth?${q}`);
    expect(res.status).toBe(401);
    expect(res.body).toContain("invalid_client");
  });
});

describe("token endpoint", () => {
  it("exchanges a code with the right PKCE verifier for Google's token response", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    expect(Object.keys(tokens).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "refresh_token",
      "scope",
      "token_type",
    ]);
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.expires_in).toBe(3599);
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens.scope).toContain("https://www.googleapis.com/auth/youtube");
  });

  it("answers invalid_grant to a wrong or missing code_verifier", async () => {
    const w = await world({ videoCount: 0 });
    const challenge = await s256("the-right-verifier-0123456789-0123456789-abc");
    const base = {
      grant_type: "authorization_code",
      client_id: w.project.clientId,
      client_secret: w.project.clientSecret,
      redirect_uri: REDIRECT_URI,
    };
    const wrong = await authorize(w, { code_challenge: challenge, code_challenge_method: "S256" });
    const res1 = await tokenRequest({
      ...base,
      code: wrong.code,
      code_verifier: "another-verifier-0123456789-0123456789-abcd",
    });
    expect(res1.status).toBe(400);
    expect(res1.body).toEqual({ error: "invalid_grant", error_description: "Invalid code verifier." });
    const missing = await authorize(w, { code_challenge: challenge, code_challenge_method: "S256" });
    const res2 = await tokenRequest({ ...base, code: missing.code });
    expect(res2.status).toBe(400);
    expect(res2.body.error).toBe("invalid_grant");
  });

  it("accepts a code once only", async () => {
    const w = await world({ videoCount: 0 });
    const { code } = await authorize(w);
    const form = {
      grant_type: "authorization_code",
      code,
      client_id: w.project.clientId,
      client_secret: w.project.clientSecret,
      redirect_uri: REDIRECT_URI,
    };
    expect((await tokenRequest(form)).status).toBe(200);
    const again = await tokenRequest(form);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
  });

  it("checks the client id and secret", async () => {
    const w = await world({ videoCount: 0 });
    const { code } = await authorize(w);
    const unknown = await tokenRequest({
      grant_type: "authorization_code",
      code,
      client_id: "x.apps.googleusercontent.com",
      client_secret: "s",
      redirect_uri: REDIRECT_URI,
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe("invalid_client");
    const badSecret = await tokenRequest({
      grant_type: "authorization_code",
      code,
      client_id: w.project.clientId,
      client_secret: "wrong",
      redirect_uri: REDIRECT_URI,
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.error).toBe("invalid_client");
  });

  it("refreshes, and answers invalid_grant once the token is revoked", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    const form = {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: w.project.clientId,
      client_secret: w.project.clientSecret,
    };
    const refreshed = await tokenRequest(form);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(tokens.access_token);
    expect(refreshed.body.refresh_token).toBeUndefined();

    const revoke = await call("/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${encodeURIComponent(tokens.refresh_token)}`,
    });
    expect(revoke.status).toBe(200);
    const after = await tokenRequest(form);
    expect(after.status).toBe(400);
    expect(after.body).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
    // The grant's access tokens die with it.
    const api = await withToken(`/youtube/v3/channels?part=id&mine=true`, refreshed.body.access_token);
    expect(api.status).toBe(401);
  });

  it("revokes every token of an account through the admin API", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    await admin("POST", `/accounts/${encodeURIComponent(w.account.email)}/revoke`);
    const res = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: w.project.clientId,
      client_secret: w.project.clientSecret,
    });
    expect(res.body.error).toBe("invalid_grant");
  });
});

describe("ID tokens and JWKS", () => {
  it("signs RS256 ID tokens with Google's claims that verify against the JWKS", async () => {
    const w = await world({ videoCount: 0 });
    const nonce = unique("nonce");
    const tokens = await signIn(w, { nonce });
    const header = decodeProtectedHeader(tokens.id_token);
    expect(header.alg).toBe("RS256");
    const { payload } = await jwtVerify(tokens.id_token, createLocalJWKSet(await jwks()), {
      issuer: ORIGIN,
      audience: w.project.clientId,
    });
    expect(payload).toMatchObject({
      iss: ORIGIN,
      aud: w.project.clientId,
      azp: w.project.clientId,
      sub: w.account.sub,
      email: w.account.email,
      email_verified: true,
      name: "Test Creator",
      nonce,
    });
    expect(typeof payload.picture).toBe("string");
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
  });

  it("keeps one signing key across requests (stored, not regenerated)", async () => {
    const a = await jwks();
    const b = await jwks();
    expect(a.keys).toHaveLength(1);
    expect(a.keys[0]?.kid).toBe(b.keys[0]?.kid);
    expect(a.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
    expect(a.keys[0]).not.toHaveProperty("d");
  });

  it("answers userinfo for a live token and 401 otherwise", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    const ok = await withToken<Record<string, unknown>>("/oauth2/v3/userinfo", tokens.access_token);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      sub: w.account.sub,
      email: w.account.email,
      email_verified: true,
      name: "Test Creator",
    });
    const bad = await withToken("/oauth2/v3/userinfo", "ya29.nope");
    expect(bad.status).toBe(401);
  });
});
