import fc from "fast-check";
import { hostileDate, hostileNumber, hostileString, sendable, shapedBody, titleList } from "./hostile-values";
import type { World } from "./world";

/**
 * The route table: every API route the fuzzer sends requests to, with the body each expects and
 * which ids its path names. A new API route is one more row here.
 */

/** One route of the API, as the fuzzer sees it. */
export interface Route {
  /** Its name in the figures. */
  route: string;
  method: string;
  path: (w: World, id: string) => string;
  /** The body it expects (each field valid, broken, missing or joined by unknown ones). */
  body?: fc.Arbitrary<(w: World) => unknown>;
  /** The right request signs Alice out or deletes her: it is only sent in ways that are refused. */
  signsOut?: boolean;
  /** Its path names a video (`videoPath`); else an admin route's names an `adminId`, any other's a `testRef`. */
  video?: boolean;
  /** Whose bearer token it takes. */
  bearer?: "metrics" | "admin";
  /** Carries one of the world's open sign-in attempts (its cookie, and its state or a hostile one). */
  signInAttempt?: boolean;
  /** What an accepted request adds to the world (a test it made joins the ids aimed at). */
  accepted?: (w: World, status: number, text: string) => void;
}
/** Which video a body names: Alice's, Bob's (not hers), or none that exists. */
const videoRef = fc.oneof(
  fc.nat(5).map((i) => (w: World) => w.aliceVideos[i % w.aliceVideos.length]),
  fc.nat(2).map((i) => (w: World) => w.bobVideos[i % w.bobVideos.length]),
  fc.oneof(hostileString, fc.constantFrom("dQw4w9WgXcQ", "AAAAAAAAAAA")).map((s) => () => s),
);

/** Which video a path names: as in a body, percent-encoded. */
export const videoPath = videoRef.map((video) => (w: World) => encodeURIComponent(sendable(video(w) ?? "")));

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
const checkoutBody = shapedBody({
  plan: fc.oneof(fc.constantFrom("pro", "authority", "free", "PRO"), hostileString),
  interval: fc.oneof(fc.constantFrom("month", "year", "week"), hostileString),
}).map((b) => () => b);
const preferencesBody = shapedBody({
  test_winner: fc.oneof(fc.boolean(), hostileString),
  weekly_digest: fc.oneof(fc.boolean(), hostileNumber),
  payment_failed: fc.boolean(),
}).map((b) => () => b);
const limitBody = shapedBody({ dailyLimit: hostileNumber }).map((b) => () => b);
const projectBody = shapedBody({
  id: fc.oneof(fc.constantFrom("local-1", "fuzz-project"), hostileString),
  clientId: fc.oneof(fc.constant("local-client-1"), hostileString),
  clientSecretRef: fc.oneof(fc.constant("GOOGLE_CLIENT_SECRET_LOCAL_1"), hostileString),
  apiKeyRef: fc.oneof(fc.constantFrom("YOUTUBE_API_KEY_LOCAL_1", "NO_SUCH_SECRET"), hostileString),
  dailyLimit: hostileNumber,
}).map((b) => () => b);

/** Which test a path names: Alice's, Bob's, random, malformed, look-alikes. */
export const testRef = fc.oneof(
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
        hostileString.map((s) => encodeURIComponent(sendable(s))),
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

/** Where the body's `testIds` stands before its tests are named (a broken one is sent as is). */
const TEST_IDS = "(tests named per world)";
/** Tests to keep running after a downgrade: Alice's, Bob's and hostile ids, or a broken `testIds`. */
const keepBody = fc
  .tuple(fc.array(testRef, { maxLength: 4 }), shapedBody({ testIds: fc.constant(TEST_IDS) }))
  .map(
    ([refs, b]) =>
      (w: World) =>
        b.testIds === TEST_IDS ? { ...b, testIds: refs.map((r) => r(w)) } : b,
  );

/** Which user or project an admin path names: never Bob (an admin may change any user, and his rows are watched). */
export const adminId = fc.oneof(
  fc.constant((w: World) => w.alice.id),
  fc.uuid().map((u) => () => u),
  fc.constantFrom("local-1", "fuzz-project", "%00", "x".repeat(300), "1 OR 1=1").map((s) => () => s),
);

/** Every route of `worker/app.ts` and `worker/routes/*.ts`, and unknown `/api/*` paths. */
export const ROUTES: Route[] = [
  { route: "GET /api/health", method: "GET", path: () => "/api/health" },
  { route: "GET /api/ready", method: "GET", path: () => "/api/ready" },
  { route: "GET /api/metrics", method: "GET", path: () => "/api/metrics", bearer: "metrics" },
  { route: "GET /api/auth/google/start", method: "GET", path: () => "/api/auth/google/start" },
  {
    route: "GET /api/auth/google/callback",
    method: "GET",
    path: () => "/api/auth/google/callback",
    signInAttempt: true,
  },
  { route: "POST /api/auth/logout", method: "POST", path: () => "/api/auth/logout" },
  { route: "POST /api/auth/logout-all", method: "POST", path: () => "/api/auth/logout-all", signsOut: true },
  { route: "GET /api/me", method: "GET", path: () => "/api/me" },
  { route: "DELETE /api/me", method: "DELETE", path: () => "/api/me", signsOut: true },
  { route: "GET /api/videos", method: "GET", path: () => "/api/videos" },
  {
    route: "GET /api/videos/:id/plan",
    method: "GET",
    path: (_, id) => `/api/videos/${id}/plan?titles=2&intervalMinutes=60`,
    video: true,
  },
  {
    route: "POST /api/tests",
    method: "POST",
    path: () => "/api/tests",
    body: createBody,
    accepted: (w, status, text) => {
      if (status !== 201) return;
      try {
        const created = JSON.parse(text) as { id?: string };
        if (created.id) w.aliceTests.push(created.id);
      } catch {
        // not a test: counted already
      }
    },
  },
  { route: "GET /api/tests", method: "GET", path: () => "/api/tests" },
  { route: "GET /api/tests/:id", method: "GET", path: (_, id) => `/api/tests/${id}` },
  {
    route: "PATCH /api/tests/:id",
    method: "PATCH",
    path: (_, id) => `/api/tests/${id}`,
    body: patchBody,
  },
  { route: "DELETE /api/tests/:id", method: "DELETE", path: (_, id) => `/api/tests/${id}` },
  {
    route: "POST /api/tests/:id/start",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/start`,
  },
  {
    route: "POST /api/tests/:id/pause",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/pause`,
  },
  {
    route: "POST /api/tests/:id/resume",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/resume`,
  },
  { route: "POST /api/tests/:id/stop", method: "POST", path: (_, id) => `/api/tests/${id}/stop` },
  {
    route: "POST /api/tests/:id/apply-winner",
    method: "POST",
    path: (_, id) => `/api/tests/${id}/apply-winner`,
    body: applyBody,
  },
  {
    route: "GET /api/tests/:id/results",
    method: "GET",
    path: (_, id) => `/api/tests/${id}/results`,
  },
  {
    route: "GET /api/tests/:id/export.csv",
    method: "GET",
    path: (_, id) => `/api/tests/${id}/export.csv`,
  },
  { route: "GET /api/dashboard", method: "GET", path: () => "/api/dashboard" },
  { route: "POST /api/dev/tests/:id/step", method: "POST", path: (_, id) => `/api/dev/tests/${id}/step` },
  { route: "POST /api/dev/reach/fetch", method: "POST", path: () => "/api/dev/reach/fetch" },
  { route: "GET /api/billing", method: "GET", path: () => "/api/billing" },
  {
    route: "POST /api/billing/checkout",
    method: "POST",
    path: () => "/api/billing/checkout",
    body: checkoutBody,
  },
  { route: "POST /api/billing/portal", method: "POST", path: () => "/api/billing/portal" },
  { route: "POST /api/billing/keep", method: "POST", path: () => "/api/billing/keep", body: keepBody },
  // Unsigned or wrongly signed: Stripe's signature is the only way in.
  {
    route: "POST /api/billing/webhook",
    method: "POST",
    path: () => "/api/billing/webhook",
    body: checkoutBody,
  },
  { route: "GET /api/me/notifications", method: "GET", path: () => "/api/me/notifications" },
  {
    route: "PUT /api/me/notifications",
    method: "PUT",
    path: () => "/api/me/notifications",
    body: preferencesBody,
  },
  { route: "GET /api/unsubscribe", method: "GET", path: (_, id) => `/api/unsubscribe?token=${id}` },
  { route: "POST /api/unsubscribe", method: "POST", path: (_, id) => `/api/unsubscribe?token=${id}` },
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
    route: "GET /api/admin/operations",
    method: "GET",
    path: () => "/api/admin/operations",
    bearer: "admin",
  },
  {
    route: "PUT /api/admin/users/:id/plan",
    method: "PUT",
    path: (_, id) => `/api/admin/users/${id}/plan`,
    body: planBody,
    bearer: "admin",
  },
  { route: "unknown /api/*", method: "GET", path: (_, id) => `/api/${id}` },
];

/**
 * Whether a request would sign Alice out or delete her for real, so that it must be sent in a way
 * that is refused: a `signsOut` route's method and path, whichever route's row produced it (a
 * method override turns `GET /api/me` into `DELETE /api/me`).
 */
export function signsAliceOut(world: World, method: string, path: string): boolean {
  const bare = path.replace(/\/$/, "");
  return ROUTES.some((r) => r.signsOut && r.method === method.toUpperCase() && r.path(world, "") === bare);
}
