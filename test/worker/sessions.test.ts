import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { verifySessionToken } from "../../worker/auth/session";
import { openDb } from "../../worker/db/client";
import { openHttpDb } from "../../worker/db/http";
import { loadPrincipal } from "../../worker/users/principal";
import { setPlan } from "../../worker/users/queries";
import { APP, as, createGoogleAccount, signIn } from "./auth-fixtures";

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
