import { env, SELF } from "cloudflare:test";
import { type SQL, sql } from "drizzle-orm";
import fc from "fast-check";
import { SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { APP, startSignIn } from "../../test/worker/auth-fixtures";
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
 * The bad-input fuzzer (issue 9): thousands of random and hostile requests to every API route,
 * sent one at a time through `SELF.fetch` by a signed-in creator (the attacker, Alice), by nobody,
 * and by forged sessions, against the ids of a second creator (the victim, Bob) among others.
 * It counts the answers by status class and fails on any 5xx, printing the request. Around every
 * request it takes a checksum of the database, so that a refused request (4xx) that still wrote
 * is caught:
 * - Bob's rows (users, tests, titles, slots, events, analytics_polls) must never change at all:
 *   nothing here acts as Bob, and Bob has no running test;
 * - Alice's rows a request can write (her user row; her tests' own fields, titles and request
 *   events) must not change across a 4xx; what her tests' TestRotators write in the background
 *   (status and results of a started test, slots, polls, numbered events) is left out;
 * - the global counts of users, tests, titles and request events must not change across a 4xx.
 * Only 2xx (and the sign-in's 3xx) answers may write. Run it with `npm run bench:fuzz`.
 */

/** Requests in the whole run, over every part file. */
const TOTAL = Number(Reflect.get(env, "FUZZ_REQUESTS") ?? 0);
/** Part files (bench/fuzz/part-NN.fuzz.ts): each is a fresh workerd runtime, see `fuzzPart`. */
export const PARTS = 20;
/** Requests per part: the total over 20 parts, but at least 250 (a short run uses fewer parts). */
const PER_PART = Math.max(250, Math.ceil(TOTAL / PARTS));
const SEED = Number(Reflect.get(env, "FUZZ_SEED") ?? 1);
const PROGRESS_EVERY = Number(Reflect.get(env, "FUZZ_PROGRESS") ?? 1000);
/** Every how many requests the database is checked around one (1: all; 0: none). */
const CHECK_EVERY = Number(Reflect.get(env, "FUZZ_CHECK_EVERY") ?? 1);
const EVIL = "https://evil.example";

const { db, close } = openDb(env);
afterAll(() => close());

// ---- the world the requests aim at ----------------------------------------------------------

interface World {
  alice: TestCreator;
  bob: TestCreator;
  aliceTests: string[];
  bobTests: string[];
  aliceVideos: string[];
  bobVideos: string[];
  oauthCookies: { cookie: string; state: string }[];
  sessions: Record<SessionKind, string>;
}

/** How a request is authenticated: each is a cookie header value (or none). */
const sessionKinds = [
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
type SessionKind = (typeof sessionKinds)[number];

const base64url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

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
  const unsigned = `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url(
    JSON.stringify({ sub: alice.id, sv: 1, iss: "titletesterpro", aud: "titletesterpro:session" }),
  )}.`;
  const tamperedPayload = base64url(
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
async function buildWorld(): Promise<World> {
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
    sessions: await forgeSessions(alice),
  };
}

// ---- the database's checksum ---------------------------------------------------------------

const digest = (rows: SQL) =>
  sql`(select md5(coalesce(string_agg(x, '|' order by x), '')) from (${rows}) r(x))`;

/** Checksums of what a refused request must not change (see the file's comment). */
async function snapshot(world: World): Promise<Record<string, string>> {
  const a = world.alice.id;
  const b = world.bob.id;
  const result = await db.execute(sql`select
    ${digest(sql`select u::text from users u where u.id = ${b}`)} as bob_user,
    ${digest(sql`select t::text from tests t where t.user_id = ${b}`)} as bob_tests,
    ${digest(sql`select ti::text from titles ti join tests t on t.id = ti.test_id where t.user_id = ${b}`)} as bob_titles,
    ${digest(sql`select s::text from slots s join tests t on t.id = s.test_id where t.user_id = ${b}`)} as bob_slots,
    ${digest(sql`select p::text from analytics_polls p join tests t on t.id = p.test_id where t.user_id = ${b}`)} as bob_polls,
    ${digest(sql`select e::text from events e where e.user_id = ${b}`)} as bob_events,
    ${digest(sql`select u::text from users u where u.id = ${a}`)} as alice_user,
    ${digest(sql`select concat_ws(',', t.id, t.video_id, t.video_title_original,
        case when t.status = 'draft' then 'draft' else 'started' end, t.metric, t.interval_minutes,
        t.boundary_offset_seconds, t.auto_apply, t.starts_at, t.ends_at, t.created_at,
        case when t.status = 'draft' then t.updated_at end)
      from tests t where t.user_id = ${a}`)} as alice_tests,
    ${digest(sql`select ti::text from titles ti join tests t on t.id = ti.test_id where t.user_id = ${a}`)} as alice_titles,
    ${digest(sql`select e::text from events e where e.user_id = ${a} and e.rotator_seq is null`)} as alice_events,
    (select count(*) from users)::text as users,
    (select count(*) from tests)::text as tests,
    (select count(*) from titles)::text as titles,
    (select count(*) from events where rotator_seq is null)::text as request_events`);
  const [row] = result.rows as Record<string, string>[];
  if (!row) throw new Error("no checksum row");
  return row;
}

function changedParts(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]);
}

/** Waits until the database stops changing (jobs and alarms after the setup's sign-ins and stops). */
async function settle(world: World): Promise<Record<string, string>> {
  let last = await snapshot(world);
  let stableSince = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - stableSince < 1_500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await snapshot(world);
    if (changedParts(last, next).length > 0) stableSince = Date.now();
    last = next;
  }
  return last;
}

// ---- the requests --------------------------------------------------------------------------

/** What a generated request will be, once the run's ids are known. */
interface Plan {
  route: string;
  mutation: string;
  build(world: World): FuzzRequest;
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const HUGE = `{"titles":["${"x".repeat(2 * 1024 * 1024)}"]}`;
const HUGE_ARRAY = JSON.stringify({ titles: Array.from({ length: 100_000 }, (_, i) => `t${i}`) });
const DEEP = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;

/** Strings that have broken web apps: SQL, HTML, format strings, unicode edge cases, sizes. */
const hostileStrings = [
  "' OR 1=1 --",
  "'; DROP TABLE tests; --",
  "1; select pg_sleep(1)",
  '"><script>alert(1)</script>',
  "<img src=x onerror=alert(1)>",
  "{{7*7}}",
  "$" + "{7*7}",
  "%s%s%s%n",
  "../../../../etc/passwd",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\udc00\ud800",
  "\u202eevil\u202c",
  "\u200b",
  "\u200d\u200d\u200d",
  "\ufeff",
  "\u00a0",
  "\u2028\u2029",
  "🎉".repeat(60),
  "👨‍👩‍👧‍👦",
  "e\u0301\u0301\u0301",
  "ﷺ",
  "العربية عنوان",
  "\n\r\t",
  "\u001b[31m",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "0x10",
  " ",
  "",
  "a".repeat(100),
  "a".repeat(101),
  "💩".repeat(100),
  "💩".repeat(101),
  "__proto__",
  "constructor",
  "A sharper title",
  "a sharper title ",
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      maxLength: 4,
    }),
  },
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 1.5, 15, 60, 240, 1440, 1e9, -1e9, 2 ** 53 + 1, 1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value at all, hostile strings included. */
const anyJson = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

const hostileDate = fc.oneof(
  fc.constantFrom(
    "2026-13-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "+275760-09-13T00:00:00.001Z",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01",
    "2026-01-01T00:00:00",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:00+25:00",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -2, max: 60 * 24 * 45 }).map((m) => new Date(Date.now() + m * 60_000).toISOString()),
);

const titleList = fc.oneof(
  fc.array(hostileString, { maxLength: 7 }),
  fc.constant(["A sharper title", "A bolder title"]),
  fc.array(anyJson, { maxLength: 3 }),
);

/** An object of the expected fields, each valid, broken, missing, or joined by unknown ones. */
function shapedBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(([name, value]) =>
    fc.oneof(
      { weight: 4, arbitrary: value.map((v) => [name, v] as const) },
      { weight: 1, arbitrary: anyJson.map((v) => [name, v] as const) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
  );
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.option(
        fc.dictionary(
          fc.oneof(hostileString, fc.constantFrom("__proto__", "constructor", "id", "userId", "status")),
          anyJson,
          { maxKeys: 3 },
        ),
        { freq: 4 },
      ),
    )
    .map(([pairs, extra]) => {
      const body: Record<string, unknown> = {};
      for (const pair of pairs) if (pair) body[pair[0]] = pair[1];
      if (extra)
        for (const [k, v] of Object.entries(extra))
          Object.defineProperty(body, k, { value: v, enumerable: true, configurable: true, writable: true });
      return body;
    });
}

/** Which video a body names: Alice's, Bob's (not hers), or none that exists. */
const videoRef = fc.oneof(
  fc.nat(5).map((i) => (w: World) => w.aliceVideos[i % w.aliceVideos.length]),
  fc.nat(2).map((i) => (w: World) => w.bobVideos[i % w.bobVideos.length]),
  fc.oneof(hostileString, fc.constantFrom("dQw4w9WgXcQ", "AAAAAAAAAAA")).map((s) => () => s),
);

const createBody = fc
  .tuple(
    videoRef,
    shapedBody({
      titles: titleList,
      includeCurrentTitle: fc.boolean(),
      intervalMinutes: fc.oneof(fc.constantFrom(1, 2, 5, 15, 60, 240, 1440), hostileNumber),
      metric: fc.constantFrom("views", "ctr", "watch_time", "VIEWS", "clicks"),
      startAt: hostileDate,
      endAt: hostileDate,
      autoApply: fc.boolean(),
      draft: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.boolean() }),
    }),
  )
  .map(([video, body]) => (w: World) => ({ videoId: video(w), ...body }));

const patchBody = shapedBody({
  titles: fc.oneof(
    fc.array(shapedBody({ variant: fc.oneof(fc.nat(5), hostileNumber), text: hostileString }), {
      maxLength: 6,
    }),
    titleList,
  ),
  endAt: hostileDate,
  autoApply: fc.boolean(),
}).map((b) => () => b);

const applyBody = shapedBody({ variant: fc.oneof(fc.nat(5), hostileNumber) }).map((b) => () => b);
const planBody = shapedBody({
  plan: fc.oneof(fc.constantFrom("free", "pro", "authority", "admin"), hostileString),
}).map((b) => () => b);
const limitBody = shapedBody({ dailyLimit: hostileNumber }).map((b) => () => b);
const projectBody = shapedBody({
  id: fc.oneof(fc.constantFrom("local-1", "fuzz-project"), hostileString),
  clientId: fc.oneof(fc.constant("local-client-1"), hostileString),
  clientSecretRef: fc.oneof(fc.constant("GOOGLE_CLIENT_SECRET_LOCAL_1"), hostileString),
  apiKeyRef: fc.oneof(fc.constantFrom("YOUTUBE_API_KEY_LOCAL_1", "NO_SUCH_SECRET"), hostileString),
  dailyLimit: hostileNumber,
}).map((b) => () => b);

/** How the body travels: JSON, or broken on the wire. */
const wire = fc.oneof(
  { weight: 10, arbitrary: fc.constant("json") },
  { weight: 1, arbitrary: fc.constant("malformed") },
  { weight: 1, arbitrary: fc.constant("badUtf8") },
  { weight: 1, arbitrary: fc.constant("wrongType") },
  { weight: 1, arbitrary: fc.constant("none") },
  { weight: 1, arbitrary: fc.constant("random") },
  { weight: 1, arbitrary: fc.constant("huge") },
  { weight: 1, arbitrary: fc.constant("deep") },
);
type Wire = "json" | "malformed" | "badUtf8" | "wrongType" | "none" | "random" | "huge" | "deep";

const contentTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/json; charset=utf-16",
  "application/JSON",
  "application/json, text/plain",
  "",
];

/** Which test a path names. */
const testRef = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.nat().map((i) => (w: World) => w.aliceTests[i % w.aliceTests.length] as string),
  },
  { weight: 3, arbitrary: fc.nat().map((i) => (w: World) => w.bobTests[i % w.bobTests.length] as string) },
  { weight: 1, arbitrary: fc.uuid().map((u) => () => u) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "00000000-0000-0000-0000-000000000000",
          "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
          "%00",
          "%2e%2e",
          "%2e%2e%2fme",
          "%C3%28",
          "%ED%A0%80",
          "%FF%FE",
          "%E2%80%AE",
          "1%20OR%201=1",
          "x".repeat(10_000),
          "null",
          "-1",
          "%",
          "%%",
        ),
        hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x"))),
      )
      .map((s) => () => s),
  },
  {
    weight: 1,
    arbitrary: fc
      .nat()
      .map((i) => (w: World) => `${(w.bobTests[i % w.bobTests.length] as string).toUpperCase()}`),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map((i) => (w: World) => `${w.aliceTests[i % w.aliceTests.length] as string}x`),
  },
);

/** An odd query string: hostile values, duplicates, arrays, sizes. */
const oddQuery = fc.oneof(
  fc.constant(""),
  fc
    .dictionary(
      fc.oneof(
        fc.constantFrom(
          "status",
          "limit",
          "pageToken",
          "refresh",
          "returnTo",
          "login_hint",
          "state",
          "code",
          "error",
        ),
        hostileString,
      ),
      fc.oneof(hostileString, hostileNumber.map(String)),
      { maxKeys: 4 },
    )
    .map(
      (d) =>
        `?${new URLSearchParams(
          Object.entries(d).map(([k, v]): [string, string] => [
            k.replace(/[\ud800-\udfff]/g, "x"),
            v.replace(/[\ud800-\udfff]/g, "x"),
          ]),
        )}`,
    ),
  fc.constantFrom(
    "?status=running,paused",
    "?status=running,running,%00",
    "?status=",
    "?status=,",
    "?status[]=running",
    "?limit=1&limit=2",
    "?limit=1e308",
    "?limit=-0",
    "?limit=0x10",
    "?limit=%FF",
    "?%",
    "?&&&",
    "?=x",
    `?status=${"running,".repeat(2_000)}`,
    `?pageToken=${"A".repeat(5_000)}`,
    "?refresh=1",
    "?refresh=2",
    "?returnTo=//evil.example/",
    "?returnTo=javascript:alert(1)",
    "?returnTo=%0d%0aSet-Cookie:x=y",
    "?login_hint=%00",
  ),
);

const ROUTES: {
  route: string;
  method: string;
  path: (w: World, id: string) => string;
  body?: fc.Arbitrary<(w: World) => unknown>;
  test?: boolean;
  dangerous?: boolean;
  admin?: boolean;
  bearer?: "metrics" | "admin";
}[] = [
  { route: "GET /api/health", method: "GET", path: () => "/api/health" },
  { route: "GET /api/ready", method: "GET", path: () => "/api/ready" },
  { route: "GET /api/metrics", method: "GET", path: () => "/api/metrics", bearer: "metrics" },
  { route: "GET /api/auth/google/start", method: "GET", path: () => "/api/auth/google/start" },
  { route: "GET /api/auth/google/callback", method: "GET", path: () => "/api/auth/google/callback" },
  { route: "POST /api/auth/logout", method: "POST", path: () => "/api/auth/logout" },
  { route: "POST /api/auth/logout-all", method: "POST", path: () => "/api/auth/logout-all", dangerous: true },
  { route: "GET /api/me", method: "GET", path: () => "/api/me" },
  { route: "DELETE /api/me", method: "DELETE", path: () => "/api/me", dangerous: true },
  { route: "GET /api/videos", method: "GET", path: () => "/api/videos" },
  { route: "POST /api/tests", method: "POST", path: () => "/api/tests", body: createBody },
  { route: "GET /api/tests", method: "GET", path: () => "/api/tests" },
  { route: "GET /api/tests/:id", method: "GET", path: (_, id) => `/api/tests/${id}`, test: true },
  {
    route: "PATCH /api/tests/:id",
    method: "PATCH",
    path: (_, id) => `/api/tests/${id}`,
    test: true,
    body: patchBody,
  },
  { route: "DELETE /api/tests/:id", method: "DELETE", path: (_, id) => `/api/tests/${id}`, test: true },
  {
    route: "POST /api/tests/:id/start",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/start`,
    test: true,
  },
  {
    route: "POST /api/tests/:id/pause",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/pause`,
    test: true,
  },
  {
    route: "POST /api/tests/:id/resume",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/resume`,
    test: true,
  },
  { route: "POST /api/tests/:id/stop", method: "POST", path: (_, id) => `/api/tests/${id}/stop`, test: true },
  {
    route: "POST /api/tests/:id/apply-winner",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/apply-winner`,
    test: true,
    body: applyBody,
  },
  {
    route: "GET /api/tests/:id/results",
    method: "GET",
    path: (_, id) => `/api/tests/${id}/results`,
    test: true,
  },
  {
    route: "GET /api/tests/:id/export.csv",
    method: "GET",
    path: (_, id) => `/api/tests/${id}/export.csv`,
    test: true,
  },
  { route: "GET /api/dashboard", method: "GET", path: () => "/api/dashboard" },
  { route: "GET /api/admin/quota", method: "GET", path: () => "/api/admin/quota", bearer: "admin" },
  {
    route: "POST /api/admin/quota/projects",
    method: "POST",
    path: () => "/api/admin/quota/projects",
    body: projectBody,
    bearer: "admin",
  },
  {
    route: "PATCH /api/admin/quota/projects/:id",
    method: "PATCH",
    path: (_, id) => `/api/admin/quota/projects/${id}`,
    body: limitBody,
    bearer: "admin",
  },
  {
    route: "PUT /api/admin/users/:id/plan",
    method: "PUT",
    path: (_, id) => `/api/admin/users/${id}/plan`,
    body: planBody,
    bearer: "admin",
    admin: true,
  },
  { route: "unknown /api/*", method: "GET", path: (_, id) => `/api/${id}` },
];

// workerd refuses methods it does not know (FOO): these are the ones it sends.
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "get", "patch"];

/** Bearer tokens of the admin and metrics routes: absent, wrong, malformed, or right. */
const bearer = fc.constantFrom("none", "wrong", "malformed", "right", "rightPadded", "basic");

/** Which user or project an admin path names. */
const adminId = fc.oneof(
  fc.constant((w: World) => w.alice.id),
  fc.uuid().map((u) => () => u),
  fc.constantFrom("local-1", "fuzz-project", "%00", "x".repeat(300), "1 OR 1=1").map((s) => () => s),
);

/** One request: a route, who sends it, from where, with what. */
const planArb: fc.Arbitrary<Plan> = fc
  .record({
    routeIndex: fc.nat(ROUTES.length - 1),
    session: fc.oneof(
      { weight: 12, arbitrary: fc.constant<SessionKind>("alice") },
      { weight: 6, arbitrary: fc.constantFrom<SessionKind>(...sessionKinds) },
    ),
    origin: fc.oneof(
      { weight: 8, arbitrary: fc.constant(APP) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "",
          EVIL,
          "null",
          `${APP}/`,
          APP.toUpperCase(),
          `${APP}:443`,
          "http://app.test",
          "https://app.test.evil.example",
        ),
      },
    ),
    methodOverride: fc.option(fc.constantFrom(...methods), { freq: 12 }),
    testRef,
    adminId,
    wire,
    contentType: fc.constantFrom(...contentTypes),
    randomBody: anyJson,
    query: fc.option(oddQuery, { freq: 3 }),
    bearer,
    oauth: fc.oneof(fc.constant(-1), fc.nat(9)),
    callbackState: fc.oneof(fc.constant("right"), hostileString),
    extraHeaders: fc.option(
      fc.constantFrom<Record<string, string>>(
        { "x-forwarded-for": "1.2.3.4" },
        { "content-length": "0" },
        { "if-none-match": '"x"' },
        { "if-none-match": "*" },
        { accept: "text/html" },
        { "accept-encoding": "gzip, br" },
        { "x-http-method-override": "DELETE" },
        { "cf-connecting-ip": "::1" },
        { "cf-connecting-ip": "not an ip" },
      ),
      { freq: 6 },
    ),
  })
  .chain((choice) => {
    const route = ROUTES[choice.routeIndex] as (typeof ROUTES)[number];
    const body = route.body ?? fc.constant(() => undefined);
    return body.map((makeBody) => ({ choice, route, makeBody }));
  })
  .map(({ choice, route, makeBody }) => {
    const mutation = [
      choice.session,
      choice.origin === APP ? "" : "origin",
      choice.methodOverride ?? "",
      route.body ? choice.wire : "",
      choice.query !== null ? "query" : "",
    ]
      .filter(Boolean)
      .join("+");
    return {
      route: route.route,
      mutation,
      build(world: World): FuzzRequest {
        const method = choice.methodOverride ?? route.method;
        let id = route.test
          ? choice.testRef(world)
          : route.bearer === "admin"
            ? choice.adminId(world)
            : choice.testRef(world);
        // Only Bob's tests are his: an admin path never names him (an admin may change any user).
        if (route.admin && id === world.bob.id) id = world.alice.id;
        let path = route.path(world, id) + (choice.query ?? "");
        const headers: Record<string, string> = {};
        let session = world.sessions[choice.session];
        let origin = choice.origin;
        // Signing Alice out or deleting her would end the run early: those two get refused ways only.
        const finalPath = route.path(world, id);
        const signsAliceOut =
          (method.toUpperCase() === "DELETE" && /^\/api\/me\/?$/.test(finalPath)) ||
          (method.toUpperCase() === "POST" && /^\/api\/auth\/logout-all\/?$/.test(finalPath));
        if (signsAliceOut && session.includes(world.alice.session) && origin === APP) origin = EVIL;
        if (route.route === "GET /api/auth/google/callback" && choice.oauth >= 0) {
          const attempt = world.oauthCookies[choice.oauth] as World["oauthCookies"][number];
          session = session ? `${session}; ${attempt.cookie}` : attempt.cookie;
          const state = choice.callbackState === "right" ? attempt.state : choice.callbackState;
          path = `${route.path(world, id)}?${new URLSearchParams({ state: state.replace(/[\ud800-\udfff]/g, "x"), code: "fuzz-code" })}`;
        }
        if (session) headers.cookie = session;
        if (origin) headers.origin = origin;
        if (route.bearer) {
          const right =
            route.bearer === "admin" ? (env.ADMIN_API_TOKEN as string) : (env.METRICS_TOKEN as string);
          const value = {
            none: "",
            wrong: `Bearer ${crypto.randomUUID()}`,
            malformed: "Bearer",
            right: `Bearer ${right}`,
            rightPadded: `Bearer  ${right}  x`,
            basic: `Basic ${btoa(`admin:${right}`)}`,
          }[choice.bearer];
          if (value) headers.authorization = value;
        }
        Object.assign(headers, choice.extraHeaders ?? {});
        let body: string | Uint8Array | undefined;
        if (route.body || choice.methodOverride) {
          const w = choice.wire as Wire;
          const json = route.body ? makeBody(world) : choice.randomBody;
          headers["content-type"] = "application/json";
          if (w === "json") body = JSON.stringify(json) ?? "null";
          else if (w === "malformed") body = (JSON.stringify(json) ?? "{").slice(0, -1) || "{";
          else if (w === "badUtf8")
            body = new Uint8Array([
              0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d,
            ]);
          else if (w === "wrongType") {
            body = JSON.stringify(json) ?? "null";
            if (choice.contentType) headers["content-type"] = choice.contentType;
            else delete headers["content-type"];
          } else if (w === "random") body = JSON.stringify(choice.randomBody) ?? "null";
          else if (w === "huge") body = choice.oauth % 2 === 0 ? HUGE : HUGE_ARRAY;
          else if (w === "deep") body = DEEP;
          else delete headers["content-type"];
        }
        if (method.toUpperCase() === "GET" || method.toUpperCase() === "HEAD") body = undefined;
        // Headers must be byte strings: the fetch API refuses anything else before sending.
        for (const [k, v] of Object.entries(headers)) headers[k] = v.replace(/[^\x20-\x7e]/g, "?");
        path = path.replace(/[\ud800-\udfff]/g, "%EF%BF%BD");
        return { method, path, headers, body };
      },
    };
  });

/** A short, printable description of a request. */
function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? "(no body)"
      : typeof req.body === "string"
        ? `${JSON.stringify(req.body.slice(0, 300))}${req.body.length > 300 ? ` … (${req.body.length} chars)` : ""}`
        : `bytes [${[...req.body].map((b) => b.toString(16).padStart(2, "0")).join(" ")}]`;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`)
    .join("; ");
  return `${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}…` : req.path}\n    headers: ${headers}\n    body: ${body}`;
}

// ---- the run ---------------------------------------------------------------------------------

interface Finding {
  index: number;
  route: string;
  mutation: string;
  status: number;
  request: string;
  answer: string;
  changed?: string[];
}

/** Requests per `it`, so the progress shows per chunk. */
const CHUNK = 250;

/**
 * One part of the run: its own two creators and tests, then its share of the requests, then its
 * figures (`FUZZ_PART <json>`, summed by bench/fuzz/reporter.ts into bench/results/fuzz.json).
 * Why parts: inside one test file every `SELF.fetch` took longer than the one before (the pool
 * keeps per-file state for each request and Durable Object call: 100 requests took 0.8 s at the
 * start of a file and 5 s after 300), so 10,000 requests in one file would take hours, while each
 * new file starts fast again.
 */
export function fuzzPart(part: number): void {
  const first = (part - 1) * PER_PART;
  const REQUESTS = Math.max(0, Math.min(PER_PART, TOTAL - first));
  describe.skipIf(!REQUESTS)(`the bad-input fuzzer, part ${part}`, () => {
    // State shared by the chunks and the final report.
    let world: World;
    let plans: Plan[] = [];
    let setupSeconds = 0;
    let fuzzStarted = 0;
    let before: Record<string, string> = {};
    let bobBaseline: Record<string, string> = {};
    const byClass: Record<string, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
    const byStatus: Record<string, number> = {};
    const byRoute: Record<string, Record<string, number>> = {};
    const serverErrors: Finding[] = [];
    const refusedWrites: Finding[] = [];
    const nonJsonErrors: Finding[] = [];
    const msByRoute: Record<string, { n: number; ms: number; max: number }> = {};
    let unsendable = 0;
    let checked = 0;

    it("signs in two creators and makes their tests through the API", async () => {
      const started = Date.now();
      world = await buildWorld();
      setupSeconds = (Date.now() - started) / 1000;
      const only = String(Reflect.get(env, "FUZZ_ONLY") ?? "");
      plans = fc
        .sample(planArb, { numRuns: only ? REQUESTS * 40 : REQUESTS, seed: SEED + part })
        .filter((p) => !only || p.route.includes(only))
        .slice(0, REQUESTS);
      bobBaseline = await settle(world);
      before = bobBaseline;
      fuzzStarted = Date.now();
    });

    // One test per chunk: in a single long test every SELF.fetch got slower than the one before
    // (the pool keeps per-test state for each request), making 10,000 requests take hours.
    for (let from = 0; from < REQUESTS; from += CHUNK) {
      const to = Math.min(REQUESTS, from + CHUNK);
      it(`sends requests ${first + from + 1}–${first + to}`, async () => {
        await sendChunk(from, to);
      });
    }

    async function sendChunk(from: number, to: number): Promise<void> {
      for (const [offset, plan] of plans.slice(from, to).entries()) {
        const index = first + from + offset;
        const req = plan.build(world);
        // Checked requests get a checksum right before and right after (every one by default).
        const sampled = CHECK_EVERY > 0 && index % CHECK_EVERY === 0;
        if (sampled && CHECK_EVERY > 1) before = await snapshot(world);
        let res: Response;
        const sentAt = performance.now();
        try {
          res = await SELF.fetch(`${APP}${req.path}`, {
            method: req.method,
            headers: req.headers,
            body: req.body,
            redirect: "manual",
          });
        } catch (err) {
          // The fetch API itself refused to send it (a method or header it forbids): not the app's answer.
          unsendable++;
          if (unsendable <= 3) console.log(`not sendable: ${describeRequest(req)} (${String(err)})`);
          continue;
        }
        const text = await res.text();
        const ms = performance.now() - sentAt;
        const timing = msByRoute[plan.route] ?? { n: 0, ms: 0, max: 0 };
        msByRoute[plan.route] = timing;
        timing.n++;
        timing.ms += ms;
        timing.max = Math.max(timing.max, ms);
        const klass = `${Math.floor(res.status / 100)}xx`;
        byClass[klass] = (byClass[klass] ?? 0) + 1;
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        const perRoute = byRoute[plan.route] ?? {};
        byRoute[plan.route] = perRoute;
        perRoute[klass] = (perRoute[klass] ?? 0) + 1;
        const finding = (): Finding => ({
          index,
          route: plan.route,
          mutation: plan.mutation,
          status: res.status,
          request: describeRequest(req),
          answer: `${res.headers.get("x-request-id") ?? ""} ${text.slice(0, 500)}`,
        });
        if (res.status >= 500) serverErrors.push(finding());
        if (res.status >= 400 && req.method !== "HEAD" && req.path.startsWith("/api/")) {
          let shaped = false;
          try {
            const json = JSON.parse(text) as { error?: { code?: unknown; requestId?: unknown } };
            shaped = typeof json.error?.code === "string" && typeof json.error.requestId === "string";
          } catch {
            shaped = false;
          }
          if (!shaped) nonJsonErrors.push(finding());
        }

        if ((index + 1) % PROGRESS_EVERY === 0) {
          console.log(
            `${index + 1}/${TOTAL} sent (${((Date.now() - fuzzStarted) / 1000).toFixed(1)} s): ${JSON.stringify(byClass)}, ${serverErrors.length} server errors, ${refusedWrites.length} refused writes`,
          );
        }
        if (!sampled) continue;
        const after = await snapshot(world);
        checked++;
        const changed = changedParts(before, after);
        const bobChanged = changedParts(bobBaseline, after).filter((k) => k.startsWith("bob_"));
        if (bobChanged.length > 0) {
          refusedWrites.push({ ...finding(), changed: bobChanged });
          before = after;
          continue;
        }
        if (res.status >= 400 && res.status < 500 && changed.length > 0)
          refusedWrites.push({ ...finding(), changed });
        // A new test of Alice's joins the ids the next requests aim at.
        if (res.status === 201 && plan.route === "POST /api/tests") {
          try {
            const created = JSON.parse(text) as { id?: string };
            if (created.id) world.aliceTests.push(created.id);
          } catch {
            // not a test: counted already
          }
        }
        before = after;
      }
    }

    it(`answered ${REQUESTS} random and hostile requests without a 5xx, and refused ones changed nothing`, async () => {
      const fuzzSeconds = (Date.now() - fuzzStarted) / 1000;
      // Background work (rotators, jobs) has had the whole run: Bob's rows must still be as they were.
      const end = await settle(world);
      const bobEnd = changedParts(bobBaseline, end).filter((k) => k.startsWith("bob_"));

      const figures = {
        part,
        seed: SEED + part,
        requests: REQUESTS,
        sent: REQUESTS - unsendable,
        unsendable,
        byClass,
        byStatus,
        byRoute,
        msByRoute,
        serverErrors,
        refusedWrites,
        nonJsonErrors: nonJsonErrors.slice(0, 20),
        nonJsonErrorCount: nonJsonErrors.length,
        databaseChecks: checked,
        victimChangedAtEnd: bobEnd,
        database: String(Reflect.get(env, "DATABASE_URL") ?? "").includes("localhost:5432/postgres")
          ? "embedded"
          : "postgres",
        setupSeconds,
        fuzzSeconds,
      };
      console.log(
        `part ${part}: ${figures.sent} requests in ${fuzzSeconds.toFixed(1)} s, ${JSON.stringify(byClass)}; ` +
          `${refusedWrites.length} refused requests wrote; ${checked} checksums; Bob ${bobEnd.length === 0 ? "unchanged" : `CHANGED (${bobEnd.join(", ")})`}` +
          ` (repeat: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${TOTAL} FUZZ_ONLY=… npm run bench:fuzz)`,
      );
      for (const f of serverErrors.slice(0, 20)) {
        console.log(
          `5xx #${f.index} ${f.route} [${f.mutation}] → ${f.status}\n    ${f.request}\n    answer: ${f.answer}`,
        );
      }
      for (const f of refusedWrites.slice(0, 20)) {
        console.log(
          `refused but wrote #${f.index} ${f.route} [${f.mutation}] → ${f.status}, changed ${f.changed?.join(", ")}\n    ${f.request}\n    answer: ${f.answer}`,
        );
      }
      console.log(`FUZZ_PART ${JSON.stringify(figures)}`);

      expect(serverErrors.map((f) => `${f.route} → ${f.status}`)).toEqual([]);
      expect(refusedWrites.map((f) => `${f.route} → ${f.status}: ${f.changed?.join(", ")}`)).toEqual([]);
      expect(bobEnd).toEqual([]);
    });
  });
}
