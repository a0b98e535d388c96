import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { roleFor } from "../../worker/users/sign-in";
import { googleEndpoints } from "../../worker/youtube/endpoints";
import {
  APP,
  as,
  cookieFrom,
  createGoogleAccount,
  fetchWith,
  ORIGIN_HEADER,
  signInWith,
} from "./auth-fixtures";

/** The edges of sign-in: who becomes admin, shared e-mail addresses, and the app's origin. */
const { db, close } = openDb(env);
afterAll(() => close());

const userBySub = async (sub: string) =>
  (await db.select().from(schema.users).where(eq(schema.users.googleSub, sub)))[0];

describe("the admin role", () => {
  it("needs an address Google says is verified", () => {
    const settings = { ADMIN_EMAILS: " Boss@Example.com ,ops@example.com" };
    expect(roleFor(settings, { email: "boss@example.com", emailVerified: true })).toBe("admin");
    expect(roleFor(settings, { email: "boss@example.com", emailVerified: false })).toBe("user");
    expect(roleFor(settings, { email: "someone@example.com", emailVerified: true })).toBe("user");
    expect(roleFor({ ADMIN_EMAILS: "" }, { email: "", emailVerified: true })).toBe("user");
  });

  it("is recomputed at each sign-in both ways, and a demotion ends the admin's sessions", async () => {
    const account = await createGoogleAccount();
    const adminEnv = { ...env, ADMIN_EMAILS: account.email };
    const first = await signInWith(adminEnv, account.email);
    expect(first.status).toBe(302);
    const adminSession = cookieFrom(first, "__Host-ttp_session") as string;
    expect((await userBySub(account.sub))?.role).toBe("admin");
    const admin = await fetchWith(adminEnv, `${APP}/api/admin/quota`, as(adminSession));
    expect(admin.status).toBe(200);

    // The address leaves ADMIN_EMAILS: the next sign-in demotes, and the admin session is dead.
    const userEnv = { ...env, ADMIN_EMAILS: "" };
    const second = await signInWith(userEnv, account.email);
    expect(second.status).toBe(302);
    const userSession = cookieFrom(second, "__Host-ttp_session") as string;
    expect((await userBySub(account.sub))?.role).toBe("user");
    expect((await fetchWith(userEnv, `${APP}/api/me`, as(adminSession))).status).toBe(401);
    expect((await fetchWith(userEnv, `${APP}/api/admin/quota`, as(adminSession))).status).not.toBe(200);
    expect((await fetchWith(userEnv, `${APP}/api/me`, as(userSession))).status).toBe(200);
    expect((await fetchWith(userEnv, `${APP}/api/admin/quota`, as(userSession))).status).toBe(404);
  });
});

describe("two Google accounts with one e-mail address", () => {
  it("refuses the second with an explanation on the landing page, never a 500 or a merge", async () => {
    const first = await createGoogleAccount();
    const second = await createGoogleAccount();
    expect((await signInWith(env, first.email)).status).toBe(302);
    // The first account's address becomes the second's (Google lets two accounts share one).
    await db.update(schema.users).set({ email: second.email }).where(eq(schema.users.googleSub, first.sub));
    const res = await signInWith(env, second.email);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/?signin=email_in_use");
    expect(cookieFrom(res, "__Host-ttp_session")).toBeUndefined();
    expect(await userBySub(second.sub)).toBeUndefined();
    expect((await userBySub(first.sub))?.email).toBe(second.email);
  });
});

describe("the app's origin", () => {
  const production = { ...env, ENVIRONMENT: "production" };

  it("is required in production: sign-in and state changes refuse clearly without APP_ORIGIN", async () => {
    const prod = { ...production, APP_ORIGIN: undefined };
    const start = await fetchWith(prod, `${APP}/api/auth/google/start`);
    expect(start.status).toBe(503);
    const body = (await start.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("not_ready");
    expect(body.error.message).toContain("APP_ORIGIN");
    const post = await fetchWith(prod, `${APP}/api/auth/logout`, {
      method: "POST",
      headers: { ...ORIGIN_HEADER, cookie: "__Host-ttp_session=x" },
    });
    expect(post.status).toBe(503);
  });

  it("comes from APP_ORIGIN, never from the request's host", async () => {
    const prod = { ...production, APP_ORIGIN: "https://titletesterpro.example" };
    const start = await fetchWith(prod, "https://attacker.example/api/auth/google/start");
    expect(start.status).toBe(302);
    const consent = new URL(start.headers.get("location") as string);
    expect(consent.origin).toBe("https://accounts.google.com");
    expect(consent.searchParams.get("redirect_uri")).toBe(
      "https://titletesterpro.example/api/auth/google/callback",
    );
    const forged = await fetchWith(prod, "https://attacker.example/api/auth/logout", {
      method: "POST",
      headers: { origin: "https://attacker.example", cookie: "__Host-ttp_session=x" },
    });
    expect(forged.status).toBe(403);
  });

  it("ignores Google endpoint overrides in production", () => {
    const overrides = {
      GOOGLE_ACCOUNTS_URL: "http://127.0.0.1:1",
      GOOGLE_OAUTH2_URL: "http://127.0.0.1:1",
      GOOGLE_APIS_URL: "http://127.0.0.1:1",
      YOUTUBE_ANALYTICS_URL: "http://127.0.0.1:1",
    };
    expect(googleEndpoints({ ...overrides, ENVIRONMENT: "production" }).oauth2).toBe(
      "https://oauth2.googleapis.com",
    );
    expect(googleEndpoints({ ...overrides, ENVIRONMENT: "development" }).oauth2).toBe("http://127.0.0.1:1");
  });
});
