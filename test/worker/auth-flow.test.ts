import { env, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as schema from "../../schema";
import { decryptSecret } from "../../worker/auth/token-crypto";
import { openDb } from "../../worker/db/client";
import {
  APP,
  as,
  consent,
  cookieFrom,
  createGoogleAccount,
  ORIGIN_HEADER,
  setCookies,
  signIn,
  startSignIn,
} from "./auth-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

const { db, close } = openDb(env);
afterAll(() => close());

async function userByEmail(email: string) {
  const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email));
  return user;
}

describe("sign in with Google", () => {
  it("creates the user with their channel, an encrypted refresh token and a session", async () => {
    const account = await createGoogleAccount();
    const logged: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    const { session, callback } = await signIn(account.email);
    vi.restoreAllMocks();
    expect(callback.headers.get("location")).toBe("/");
    const setCookie = setCookies(callback).find((c) => c.startsWith("__Host-ttp_session="));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=2592000/);

    const me = await SELF.fetch(`${APP}/api/me`, as(session));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      email: account.email,
      channelId: account.channelId,
      channelTitle: `Channel of ${account.email}`,
      plan: "free",
      role: "user",
      status: "active",
      limits: { activeTests: 1, minIntervalMinutes: 240 },
    });

    const user = await userByEmail(account.email);
    expect(user?.oauthProjectId).toBe("local-1");
    const refreshToken = await decryptSecret(env, user?.id as string, user?.refreshTokenEnc as string);
    expect(refreshToken.length).toBeGreaterThan(10);
    // The plaintext token is nowhere in the database, nor in anything logged while signing in.
    const dump = await db.execute(sql`select row_to_json(u)::text as row from users u`);
    expect(JSON.stringify(dump.rows)).not.toContain(refreshToken);
    const events = await db
      .select()
      .from(schema.events)
      .where(eq(schema.events.userId, user?.id as string));
    expect(JSON.stringify(events)).not.toContain(refreshToken);
    expect(logged.join("\n")).not.toContain(refreshToken);

    const [pin] = (await env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName("global")).status()).projects;
    expect(pin?.id).toBe("local-1");
  });

  it("lands on the page the sign-in started from, and refuses to start for another site", async () => {
    const account = await createGoogleAccount();
    const { consentUrl, oauthCookie } = await startSignIn(account.email, "/tests/new");
    const res = await SELF.fetch(await consent(consentUrl), {
      headers: { cookie: oauthCookie },
      redirect: "manual",
    });
    expect(res.headers.get("location")).toBe("/tests/new");
    // The whole space of refused return paths is in auth-return-path.test.ts.
    for (const returnTo of ["//evil.example/x", "https://evil.example/", "/%09/evil.example"]) {
      const query = new URLSearchParams({ login_hint: account.email, returnTo });
      const start = await SELF.fetch(`${APP}/api/auth/google/start?${query}`, { redirect: "manual" });
      expect(start.status, returnTo).toBe(400);
      expect(cookieFrom(start, "__Host-ttp_oauth")).toBeUndefined();
    }
  });

  it("keeps a returning user's account and project", async () => {
    const account = await createGoogleAccount();
    await signIn(account.email);
    const first = await userByEmail(account.email);
    await signIn(account.email);
    const again = await userByEmail(account.email);
    expect(again?.id).toBe(first?.id);
    expect(again?.oauthProjectId).toBe(first?.oauthProjectId);
    const rows = await db.select().from(schema.users).where(eq(schema.users.googleSub, account.sub));
    expect(rows).toHaveLength(1);
  });
});

describe("sign-in attacks and mistakes", () => {
  it("refuses a callback without the browser's sign-in cookie", async () => {
    const account = await createGoogleAccount();
    const { consentUrl } = await startSignIn(account.email);
    const res = await SELF.fetch(await consent(consentUrl), { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect(cookieFrom(res, "__Host-ttp_session")).toBeUndefined();
    expect(await userByEmail(account.email)).toBeUndefined();
  });

  it("refuses a wrong or missing state", async () => {
    const account = await createGoogleAccount();
    const { consentUrl, oauthCookie } = await startSignIn(account.email);
    const callback = new URL(await consent(consentUrl));
    callback.searchParams.set("state", "forged-state");
    const wrong = await SELF.fetch(callback, { headers: { cookie: oauthCookie }, redirect: "manual" });
    expect(wrong.status).toBe(400);
    callback.searchParams.delete("state");
    const missing = await SELF.fetch(callback, { headers: { cookie: oauthCookie }, redirect: "manual" });
    expect(missing.status).toBe(400);
    expect(await userByEmail(account.email)).toBeUndefined();
  });

  it("never signs in from a callback carrying an error, whatever its value, or lacking a code", async () => {
    const account = await createGoogleAccount();
    const cases: [string, string | null, string][] = [
      ["error", "access_denied", "/?signin=access_denied"],
      ["error", "", "/?signin=cancelled"],
      ["code", null, "/?signin=cancelled"],
    ];
    for (const [param, value, landing] of cases) {
      const { consentUrl, oauthCookie } = await startSignIn(account.email);
      const callback = new URL(await consent(consentUrl));
      if (value === null) callback.searchParams.delete(param);
      else callback.searchParams.set(param, value);
      const res = await SELF.fetch(callback, { headers: { cookie: oauthCookie }, redirect: "manual" });
      expect(res.status, `${param}=${value}`).toBe(302);
      expect(res.headers.get("location")).toBe(landing);
      expect(cookieFrom(res, "__Host-ttp_session")).toBeUndefined();
    }
    expect(await userByEmail(account.email)).toBeUndefined();
  });

  it("refuses a replayed callback", async () => {
    const account = await createGoogleAccount();
    const { consentUrl, oauthCookie } = await startSignIn(account.email);
    const callbackUrl = await consent(consentUrl);
    const first = await SELF.fetch(callbackUrl, { headers: { cookie: oauthCookie }, redirect: "manual" });
    expect(first.status).toBe(302);
    const replay = await SELF.fetch(callbackUrl, { headers: { cookie: oauthCookie }, redirect: "manual" });
    expect(replay.status).toBe(400);
    expect(cookieFrom(replay, "__Host-ttp_session")).toBeUndefined();
  });

  it("refuses a code issued for another PKCE challenge", async () => {
    const account = await createGoogleAccount();
    const { consentUrl, oauthCookie } = await startSignIn(account.email);
    const tampered = new URL(consentUrl);
    tampered.searchParams.set("code_challenge", "A".repeat(43));
    const res = await SELF.fetch(await consent(tampered.toString()), {
      headers: { cookie: oauthCookie },
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "Google did not accept",
    );
    expect(await userByEmail(account.email)).toBeUndefined();
  });

  it("refuses a tampered session cookie", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const tampered = `${session.slice(0, -3)}${session.endsWith("AAA") ? "BBB" : "AAA"}`;
    const res = await SELF.fetch(`${APP}/api/me`, as(tampered));
    expect(res.status).toBe(401);
  });
});

describe("signing out", () => {
  it("ends this browser's session on logout", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const out = await SELF.fetch(`${APP}/api/auth/logout`, as(session, { method: "POST" }));
    expect(out.status).toBe(204);
    expect(setCookies(out).join()).toMatch(/__Host-ttp_session=;.*Max-Age=0/);
  });

  it("ends every session of the user at once on logout-all", async () => {
    const account = await createGoogleAccount();
    const { session: laptop } = await signIn(account.email);
    const { session: phone } = await signIn(account.email);
    expect((await SELF.fetch(`${APP}/api/me`, as(phone))).status).toBe(200);
    const out = await SELF.fetch(`${APP}/api/auth/logout-all`, as(laptop, { method: "POST" }));
    expect(out.status).toBe(204);
    expect((await SELF.fetch(`${APP}/api/me`, as(laptop))).status).toBe(401);
    expect((await SELF.fetch(`${APP}/api/me`, as(phone))).status).toBe(401);
    const { session: fresh } = await signIn(account.email);
    expect((await SELF.fetch(`${APP}/api/me`, as(fresh))).status).toBe(200);
  });

  it("refuses a state-changing request from another origin", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const res = await SELF.fetch(`${APP}/api/auth/logout-all`, {
      method: "POST",
      headers: { cookie: session, origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect((await SELF.fetch(`${APP}/api/me`, as(session))).status).toBe(200);
  });
});

describe("a revoked Google grant", () => {
  it("marks the user needs_reauth, and signing in again reconnects them", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const videos = await SELF.fetch(`${APP}/api/videos`, as(session));
    expect(videos.status).toBe(200);
    expect(((await videos.json()) as { items: unknown[] }).items).toHaveLength(2);

    await emulatorAdmin("POST", `/accounts/${encodeURIComponent(account.email)}/revoke`);
    const denied = await SELF.fetch(`${APP}/api/videos?refresh=1`, as(session));
    expect(denied.status).toBe(409);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("needs_reauth");
    const me = (await (await SELF.fetch(`${APP}/api/me`, as(session))).json()) as { status: string };
    expect(me.status).toBe("needs_reauth");

    const { session: reconnected } = await signIn(account.email);
    const after = (await (await SELF.fetch(`${APP}/api/me`, as(reconnected))).json()) as { status: string };
    expect(after.status).toBe("active");
    expect((await SELF.fetch(`${APP}/api/videos?refresh=1`, as(reconnected))).status).toBe(200);
  });
});

describe("deleting the account", () => {
  it("revokes the Google grant and removes every row of the user", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const user = await userByEmail(account.email);
    const userId = user?.id as string;
    const [test] = await db
      .insert(schema.tests)
      .values({
        userId,
        videoId: account.videoIds[0] as string,
        videoTitleOriginal: "First upload",
        intervalMinutes: 240,
      })
      .returning();
    await db.insert(schema.titles).values({ testId: test?.id as string, variant: 0, text: "First upload" });
    await db.insert(schema.userStats).values({ userId });

    const res = await SELF.fetch(`${APP}/api/me`, as(session, { method: "DELETE" }));
    expect(res.status).toBe(204);

    const remaining = await db.execute(sql`
      select (select count(*) from users where id = ${userId})
           + (select count(*) from tests where user_id = ${userId})
           + (select count(*) from titles where test_id = ${test?.id as string})
           + (select count(*) from events where user_id = ${userId})
           + (select count(*) from user_stats where user_id = ${userId}) as n`);
    expect(Number((remaining.rows[0] as { n: string | number }).n)).toBe(0);
    expect((await SELF.fetch(`${APP}/api/me`, as(session))).status).toBe(401);
    // The grant is gone at Google too: the stored refresh token no longer works.
    const token = await fetch(`${new URL(env.GOOGLE_OAUTH2_URL as string).origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: await decryptSecret(env, userId, user?.refreshTokenEnc as string),
        client_id: "local-client-1",
        client_secret: env.GOOGLE_CLIENT_SECRET_LOCAL_1 as string,
      }),
    });
    expect(token.status).toBe(400);
    expect(((await token.json()) as { error: string }).error).toBe("invalid_grant");
  });
});

describe("unauthenticated requests", () => {
  it("get 401 on every signed-in route", async () => {
    for (const [method, path] of [
      ["GET", "/api/me"],
      ["DELETE", "/api/me"],
      ["GET", "/api/videos"],
      ["POST", "/api/auth/logout-all"],
    ] as const) {
      const res = await SELF.fetch(`${APP}${path}`, { method, headers: ORIGIN_HEADER });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
    }
  });
});
