import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import {
  issueSessionToken,
  SESSION_COOKIE,
  SESSION_REFRESH_AFTER_SECONDS,
  verifySessionToken,
} from "../../worker/auth/session";
import { openDb } from "../../worker/db/client";
import { openHttpDb } from "../../worker/db/http";
import { forgetPrincipal, loadPrincipal } from "../../worker/users/principal";
import { setPlan } from "../../worker/users/queries";
import { APP, as, createGoogleAccount, setCookies, signIn } from "./auth-fixtures";
import { requestsAtProxy, requestsSince } from "./sql-requests";

/**
 * Sessions end when they are meant to: sign-out ends the session itself (not just the cookie),
 * and "sign out everywhere", a plan change or deletion cannot be undone by the principal cache —
 * even when a request that read Postgres before the revocation writes the cache after it.
 */
const { db, close } = openDb(env);
afterAll(() => close());

async function signedIn() {
  const account = await createGoogleAccount();
  const { session } = await signIn(account.email);
  const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
  return { account, session, userId: user?.id as string };
}

const me = (session: string) => SELF.fetch(`${APP}/api/me`, as(session));
const tokenOf = (session: string) => session.slice(session.indexOf("=") + 1);

/** What a request that read Postgres just before a revocation puts in the cache after it. */
async function staleCacheWrite(userId: string, principal: unknown): Promise<void> {
  await env.CACHE.put(`principal:${userId}`, JSON.stringify(principal), { expirationTtl: 300 });
}

describe("sessions", () => {
  it("record an id and an absolute end 90 days after sign-in", async () => {
    const { session, userId } = await signedIn();
    const claims = await verifySessionToken(env, tokenOf(session));
    expect(claims?.userId).toBe(userId);
    const [row] = await db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.id, claims?.sessionId as string));
    expect(row?.userId).toBe(userId);
    expect(row?.revokedAt).toBeNull();
    expect((row?.expiresAt.getTime() ?? 0) - (claims?.authTime ?? 0) * 1000).toBe(90 * 86_400_000);
  });

  it("end for a copied token too when its browser signs out", async () => {
    const { session } = await signedIn();
    const copied = session;
    expect((await me(copied)).status).toBe(200);
    const out = await SELF.fetch(`${APP}/api/auth/logout`, as(session, { method: "POST" }));
    expect(out.status).toBe(204);
    expect((await me(copied)).status).toBe(401);
    const claims = await verifySessionToken(env, tokenOf(session));
    const [row] = await db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.id, claims?.sessionId as string));
    expect(row?.revokedAt).not.toBeNull();
  });

  it("leave the user's other sessions alone on a single sign-out", async () => {
    const { account, session: laptop } = await signedIn();
    const { session: phone } = await signIn(account.email);
    await SELF.fetch(`${APP}/api/auth/logout`, as(laptop, { method: "POST" }));
    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(200);
  });

  it("stay ended after sign-out-everywhere even when a stale principal is cached again", async () => {
    const { account, session, userId } = await signedIn();
    expect((await me(session)).status).toBe(200);
    const before = await loadPrincipal(env, () => openHttpDb(env).freshReads, userId);
    const out = await SELF.fetch(`${APP}/api/auth/logout-all`, as(session, { method: "POST" }));
    expect(out.status).toBe(204);
    await staleCacheWrite(userId, before);
    expect((await me(session)).status).toBe(401);
    // A new session is not thrown out by the stale cache: Postgres decides on a version mismatch.
    const { session: fresh } = await signIn(account.email);
    await staleCacheWrite(userId, before);
    expect((await me(fresh)).status).toBe(200);
  });

  it("end when the plan changes, and stay ended despite a stale cache write", async () => {
    const { session, userId } = await signedIn();
    const before = await loadPrincipal(env, () => openHttpDb(env).freshReads, userId);
    expect(before?.plan).toBe("free");
    expect(await setPlan(db, env, userId, "pro")).toBe(true);
    await staleCacheWrite(userId, before);
    expect((await me(session)).status).toBe(401);
    const [user] = await db.select().from(schema.users).where(eq(schema.users.id, userId));
    expect(user).toMatchObject({ plan: "pro", sessionVersion: (before?.sessionVersion ?? 0) + 1 });
  });

  it("end with the account, whatever a stale cache write puts back", async () => {
    const { session, userId } = await signedIn();
    const before = await loadPrincipal(env, () => openHttpDb(env).freshReads, userId);
    const res = await SELF.fetch(`${APP}/api/me`, as(session, { method: "DELETE" }));
    expect(res.status).toBe(204);
    await staleCacheWrite(userId, before);
    // The tests list reads nothing of the user's row: only the session check can refuse it.
    expect((await SELF.fetch(`${APP}/api/tests`, as(session))).status).toBe(401);
  });
});

/** Reads whose one database batch checks the session too (`sessionInRead`): each must refuse it alike. */
const READS_CHECKING_IN_BATCH = [
  "/api/dashboard",
  "/api/tests",
  `/api/tests/${crypto.randomUUID()}`,
  `/api/tests/${crypto.randomUUID()}/results`,
  `/api/tests/${crypto.randomUUID()}/export.csv`,
];

/** A live session's answer: 200 for the overviews, 404 for a test that is not theirs (the read ran). */
const answeredFor = (path: string) => (path === "/api/dashboard" || path === "/api/tests" ? 200 : 404);

/** Each read's status for `session`, by path. */
async function statusesOf(session: string): Promise<Record<string, number>> {
  const answers = await Promise.all(
    READS_CHECKING_IN_BATCH.map(async (path) => [
      path,
      (await SELF.fetch(`${APP}${path}`, as(session))).status,
    ]),
  );
  return Object.fromEntries(answers);
}

const expected = (status: (path: string) => number) =>
  Object.fromEntries(READS_CHECKING_IN_BATCH.map((path) => [path, status(path)]));

describe("reads that check the session in their own batch", () => {
  it("serve a live session, and refuse it after sign-out, clearing the cookie", async () => {
    const { session } = await signedIn();
    expect(await statusesOf(session)).toEqual(expected(answeredFor));
    await SELF.fetch(`${APP}/api/auth/logout`, as(session, { method: "POST" }));
    expect(await statusesOf(session)).toEqual(expected(() => 401));
    const refused = await SELF.fetch(`${APP}/api/dashboard`, as(session));
    expect(setCookies(refused).some((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toBe(true);
    expect(await refused.json()).toMatchObject({ error: { code: "unauthenticated" } });
  });

  it("refuse every session after sign-out-everywhere, a plan change or the account's deletion", async () => {
    const everywhere = await signedIn();
    await SELF.fetch(`${APP}/api/auth/logout-all`, as(everywhere.session, { method: "POST" }));
    expect(await statusesOf(everywhere.session)).toEqual(expected(() => 401));

    const upgraded = await signedIn();
    expect(await setPlan(db, env, upgraded.userId, "pro")).toBe(true);
    expect(await statusesOf(upgraded.session)).toEqual(expected(() => 401));

    const deleted = await signedIn();
    expect((await SELF.fetch(`${APP}/api/me`, as(deleted.session, { method: "DELETE" }))).status).toBe(204);
    expect(await statusesOf(deleted.session)).toEqual(expected(() => 401));
  });

  it("refuse a session past its recorded end, or one recorded for another user", async () => {
    const { session, userId } = await signedIn();
    const claims = await verifySessionToken(env, tokenOf(session));
    await db
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.sessions.id, claims?.sessionId as string));
    expect(await statusesOf(session)).toEqual(expected(() => 401));

    // A token of this user naming another user's live session (signed with the app's own key).
    const other = await signedIn();
    const othersClaims = await verifySessionToken(env, tokenOf(other.session));
    const borrowed = await issueSessionToken(env, {
      userId,
      sessionId: othersClaims?.sessionId as string,
      version: claims?.version as number,
      authTime: Math.floor(Date.now() / 1000),
    });
    expect(await statusesOf(`${SESSION_COOKIE}=${borrowed}`)).toEqual(expected(() => 401));
    expect(await statusesOf(other.session)).toEqual(expected(answeredFor));
  });

  it("check the session in the read's own round trip: one SQL request, no principal read first", async () => {
    const { session, userId } = await signedIn();
    await forgetPrincipal(env, userId);
    const before = (await requestsAtProxy()).total;
    expect((await SELF.fetch(`${APP}/api/dashboard`, as(session))).status).toBe(200);
    const since = await requestsSince(before);
    const mine = since.filter((r) => r.statements.some((s) => s.includes('"sessions"')));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.batch).toBe(true);
    expect(mine[0]?.statements.some((s) => s.includes('"user_stats"'))).toBe(true);
    // No select of the principal on its own (the KV path's read on a cache miss).
    expect(since.filter((r) => !r.batch && r.statements.some((s) => s.includes('"users"')))).toEqual([]);
  });

  it("prolong a confirmed session once a day, and never a refused one", async () => {
    const { session, userId } = await signedIn();
    const claims = await verifySessionToken(env, tokenOf(session));
    const dayOld = Date.now() - (SESSION_REFRESH_AFTER_SECONDS + 60) * 1000;
    const old = await issueSessionToken(
      env,
      {
        userId,
        sessionId: claims?.sessionId as string,
        version: claims?.version as number,
        authTime: claims?.authTime as number,
      },
      dayOld,
    );
    const served = await SELF.fetch(`${APP}/api/dashboard`, as(`${SESSION_COOKIE}=${old}`));
    expect(served.status).toBe(200);
    const renewed = setCookies(served).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(renewed).toBeDefined();
    expect(renewed?.startsWith(`${SESSION_COOKIE}=;`)).toBe(false);

    await SELF.fetch(`${APP}/api/auth/logout`, as(session, { method: "POST" }));
    const refused = await SELF.fetch(`${APP}/api/dashboard`, as(`${SESSION_COOKIE}=${old}`));
    expect(refused.status).toBe(401);
    // Only the cookie's removal: no renewal, and at least one removal (an empty list passes `every`).
    const cookies = setCookies(refused);
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.every((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toBe(true);
  });
});
