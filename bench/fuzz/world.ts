import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { base64url, SignJWT } from "jose";
import { afterAll } from "vitest";
import { createGoogleAccount, startSignIn } from "../../test/worker/auth-fixtures";
import {
  addVideo,
  call,
  creator,
  expectJson,
  type TestCreator,
  type TestJson,
} from "../../test/worker/tests-fixtures";
import { issueSessionToken, SESSION_COOKIE } from "../../worker/auth/session";
import { openDb } from "../../worker/db/client";

/**
 * The world the fuzzer's requests aim at: a signed-in creator (the attacker, Alice), a second
 * creator (the victim, Bob) whose rows must never change, their tests in every state that
 * matters, sign-in attempts left open, Google accounts no one has signed in with yet (for the
 * sign-in flow), and session cookies of every kind, forged ones included.
 */

/** The fuzzer's connection to its own database (one per part file). */
export const { db, close } = openDb(env);
afterAll(() => close());

/** The ids, cookies and accounts the requests are built from. */
export interface World {
  alice: TestCreator;
  bob: TestCreator;
  aliceTests: string[];
  bobTests: string[];
  aliceVideos: string[];
  bobVideos: string[];
  oauthCookies: { cookie: string; state: string }[];
  /** Google accounts that only the sign-in flow signs in with (never Alice or Bob: their rows are watched). */
  signInAccounts: string[];
  sessions: Record<SessionKind, string>;
}

/** How a request is authenticated: each is a cookie header value (or none). */
export const sessionKinds = [
  "alice",
  "none",
  "garbage",
  "empty",
  "expired",
  "otherKey",
  "algNone",
  "oldVersion",
  "unknownUser",
  "tampered",
  "twoCookies",
] as const;
/** One way of sending a session cookie. */
export type SessionKind = (typeof sessionKinds)[number];

/** Session cookies of every kind: Alice's real one, and forged or broken ones. */
async function forgeSessions(alice: TestCreator): Promise<Record<SessionKind, string>> {
  const real = alice.session;
  const token = real.slice(SESSION_COOKIE.length + 1);
  const [header = "", , signature = ""] = token.split(".");
  const now = Date.now();
  const otherKey = await new SignJWT({ sv: 1 })
    .setProtectedHeader({ alg: "HS256", kid: "1" })
    .setSubject(alice.id)
    .setIssuer("titletesterpro")
    .setAudience("titletesterpro:session")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(crypto.getRandomValues(new Uint8Array(32)));
  const unsigned = `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url.encode(
    JSON.stringify({ sub: alice.id, sv: 1, iss: "titletesterpro", aud: "titletesterpro:session" }),
  )}.`;
  const tamperedPayload = base64url.encode(
    JSON.stringify({
      sv: 1,
      sub: crypto.randomUUID(),
      iss: "titletesterpro",
      aud: "titletesterpro:session",
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + 3600,
    }),
  );
  const cookie = (value: string) => `${SESSION_COOKIE}=${value}`;
  const session = (userId: string, version: number, at: number) => ({
    userId,
    sessionId: crypto.randomUUID(),
    version,
    authTime: Math.floor(at / 1000),
  });
  return {
    alice: real,
    none: "",
    garbage: cookie("not.a.jwt"),
    empty: cookie(""),
    expired: cookie(
      await issueSessionToken(env, session(alice.id, 1, now - 40 * 86_400_000), now - 40 * 86_400_000),
    ),
    otherKey: cookie(otherKey),
    algNone: cookie(unsigned),
    oldVersion: cookie(await issueSessionToken(env, session(alice.id, 0, now))),
    unknownUser: cookie(await issueSessionToken(env, session(crypto.randomUUID(), 1, now))),
    tampered: cookie(`${header}.${tamperedPayload}.${signature}`),
    twoCookies: `${cookie("x")}; ${real}; ${cookie("y")}`,
  };
}

/** Two creators with tests in several states, made through the API; Bob's then left alone. */
export async function buildWorld(): Promise<World> {
  const alice = await creator(db, "pro");
  const bob = await creator(db, "free");
  const extra = async (who: TestCreator, n: number) => {
    for (let i = 0; i < n; i++) who.videoIds.push(await addVideo(who, `Extra upload ${i}`));
  };
  await extra(alice, 4);
  await extra(bob, 1);
  const create = async (who: TestCreator, videoId: string, draft: boolean) =>
    (
      await expectJson<TestJson>(
        await call(who, "POST", "/api/tests", {
          videoId,
          titles: ["A sharper title", "A bolder title"],
          intervalMinutes: 60,
          draft,
        }),
        201,
      )
    ).id;
  const stopped = async (who: TestCreator, videoId: string) => {
    const id = await create(who, videoId, false);
    await expectJson(await call(who, "POST", `/api/tests/${id}/stop`), 200);
    return id;
  };
  const aliceTests = [
    await create(alice, alice.videoIds[0] as string, true),
    await create(alice, alice.videoIds[1] as string, true),
    await create(alice, alice.videoIds[2] as string, false),
    await stopped(alice, alice.videoIds[3] as string),
  ];
  const paused = await create(alice, alice.videoIds[4] as string, false);
  await expectJson(await call(alice, "POST", `/api/tests/${paused}/pause`), 200);
  aliceTests.push(paused);
  const bobTests = [
    await create(bob, bob.videoIds[0] as string, true),
    await stopped(bob, bob.videoIds[1] as string),
  ];
  // Bob's finished test gets a history of closed slots, so his results and CSV have content.
  await db.execute(sql`
    insert into slots (test_id, slot_index, variant, block, started_at, ended_at, views_start, views_end)
    select ${bobTests[1]}::uuid, 100 + g, g % 3, 50 + g / 3, now() - (g + 1) * interval '1 hour',
           now() - g * interval '1 hour', 1000 * g, 1000 * g + 40 + g
    from generate_series(0, 47) g`);
  const oauthCookies: World["oauthCookies"] = [];
  for (let i = 0; i < 10; i++) {
    const { consentUrl, oauthCookie } = await startSignIn(`${crypto.randomUUID()}@example.com`);
    oauthCookies.push({ cookie: oauthCookie, state: new URL(consentUrl).searchParams.get("state") ?? "" });
  }
  return {
    alice,
    bob,
    aliceTests,
    bobTests,
    aliceVideos: alice.videoIds,
    bobVideos: bob.videoIds,
    oauthCookies,
    signInAccounts: [(await createGoogleAccount()).email, (await createGoogleAccount()).email],
    sessions: await forgeSessions(alice),
  };
}
