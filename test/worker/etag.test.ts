import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../worker/db/client";
import { APP, as } from "./auth-fixtures";
import { call, createDraft, creator, type TestCreator } from "./tests-fixtures";

/**
 * Revalidation of the API's GETs: an ETag on every successful answer, a 304 when the browser's
 * copy is still current, `private, no-cache` so only that browser keeps it — and never one
 * user's answer (or its 304) for another user.
 */
const { db, close } = openDb(env);
afterAll(() => close());

let alice: TestCreator;
let bob: TestCreator;

beforeAll(async () => {
  alice = await creator(db);
  bob = await creator(db);
});

/** The ETag of a body: its SHA-1 in hex, quoted. */
async function sha1Tag(body: ArrayBuffer): Promise<string> {
  const sha1 = new Uint8Array(await crypto.subtle.digest("SHA-1", body));
  return `"${Array.from(sha1, (b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/** A GET as `who`, with the ETag of an earlier answer when given. */
function get(who: TestCreator, path: string, etag?: string | null): Promise<Response> {
  return SELF.fetch(`${APP}${path}`, as(who.session, etag ? { headers: { "if-none-match": etag } } : {}));
}

describe("ETags on API GETs", () => {
  it("answers an ETag, private no-cache and Vary: Cookie, then 304 to a repeat with If-None-Match", async () => {
    const first = await get(alice, "/api/me");
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect(first.headers.get("vary")).toMatch(/cookie/i);
    // The tag is the SHA-1 of exactly the body sent.
    expect(etag).toBe(await sha1Tag(await first.arrayBuffer()));

    const repeat = await get(alice, "/api/me", etag);
    expect(repeat.status).toBe(304);
    expect(await repeat.text()).toBe("");
    expect(repeat.headers.get("etag")).toBe(etag);
    expect(repeat.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("tags the dashboard and the results, which hash their JSON as they write it, the same way", async () => {
    const carol = await creator(db);
    const test = await createDraft(carol);
    for (const path of ["/api/dashboard", `/api/tests/${test.id}/results`]) {
      const first = await get(carol, path);
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toMatch(/^application\/json/);
      expect(first.headers.get("cache-control")).toBe("private, no-cache");
      const body = await first.arrayBuffer();
      const etag = first.headers.get("etag");
      expect(etag).toBe(await sha1Tag(body));
      expect(JSON.parse(new TextDecoder().decode(body))).toBeTypeOf("object");
      const repeat = await get(carol, path, etag);
      expect(repeat.status).toBe(304);
      expect(await repeat.text()).toBe("");
    }
  });

  it("revalidates lists too, and a change makes the old ETag stale", async () => {
    const before = await get(alice, "/api/tests");
    const etag = before.headers.get("etag");
    expect(before.status).toBe(200);
    await before.body?.cancel();
    const unchanged = await get(alice, "/api/tests", etag);
    expect(unchanged.status).toBe(304);

    await createDraft(alice);
    const after = await get(alice, "/api/tests", etag);
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    const body = (await after.json()) as { items: unknown[] };
    expect(body.items).toHaveLength(1);
  });

  it("never answers one user's ETag with a 304 for another user: each gets their own body", async () => {
    const aliceMe = await get(alice, "/api/me");
    const aliceEtag = aliceMe.headers.get("etag");
    const aliceBody = (await aliceMe.json()) as { id: string; email: string };

    const bobMe = await get(bob, "/api/me", aliceEtag);
    expect(bobMe.status).toBe(200);
    expect(bobMe.headers.get("etag")).not.toBe(aliceEtag);
    const bobBody = (await bobMe.json()) as { id: string; email: string };
    expect(bobBody.id).toBe(bob.id);
    expect(bobBody.email).not.toBe(aliceBody.email);

    // Alice's own copy is still current for her.
    const again = await get(alice, "/api/me", aliceEtag);
    expect(again.status).toBe(304);
  });

  it("leaves errors, sign-in redirects and state changes without an ETag", async () => {
    const signedOut = await SELF.fetch(`${APP}/api/me`);
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.get("etag")).toBeNull();
    await signedOut.body?.cancel();

    const start = await SELF.fetch(`${APP}/api/auth/google/start`, { redirect: "manual" });
    expect(start.status).toBe(302);
    expect(start.headers.get("etag")).toBeNull();
    expect(start.headers.get("cache-control") ?? "").not.toContain("private, no-cache");

    // A POST (signing this browser out) answers no ETag either. Sign-out revokes the session, so a
    // creator of its own signs out, not one the other tests go on with.
    const post = await call(await creator(db), "POST", "/api/auth/logout");
    expect(post.headers.get("etag")).toBeNull();
    await post.body?.cancel();
  });

  it("keeps a route's own Cache-Control: the CSV export stays no-store", async () => {
    const bobTest = await createDraft(bob);
    const csv = await get(bob, `/api/tests/${bobTest.id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("cache-control")).toBe("no-store");
    await csv.body?.cancel();
  });
});

describe("GET /api/me for the new-test wizard", () => {
  it("lists the intervals the plan may choose and every interval the app offers", async () => {
    const res = await get(bob, "/api/me");
    const me = (await res.json()) as { limits: { intervals: number[] }; intervalChoices: number[] };
    // wrangler.toml's local MIN_INTERVAL_MINUTES=1 opens the demo intervals to every plan.
    expect(me.limits.intervals).toContain(1);
    expect(me.intervalChoices).toEqual([...me.intervalChoices].sort((a, b) => a - b));
    for (const minutes of me.limits.intervals) expect(me.intervalChoices).toContain(minutes);
    expect(me.intervalChoices).toContain(1440);
  });
});
