import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { OAUTH_COOKIE, openAttempt, returnPathOf, sealAttempt } from "../../worker/auth/oauth-state";
import { openDb } from "../../worker/db/client";
import { APP, consent, cookieFrom, createGoogleAccount, startSignIn } from "./auth-fixtures";

/**
 * Where a sign-in lands afterwards (`returnTo`): only a path of this app that no browser can read
 * as another host, refused with a 400 at /start otherwise, and never a 500 at the callback.
 */

const { db, close } = openDb(env);
afterAll(() => close());

const codePoint = (c: number) => String.fromCodePoint(c);
/** Every C0 and C1 control character and DEL. */
const controls = [
  ...Array.from({ length: 0x20 }, (_, c) => c),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
].map(codePoint);
/** Whitespace that is not a control character: what `\s` matches beyond ASCII. */
const spaces = [
  0x20, 0xa0, 0x1680, 0x2000, 0x2005, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
].map(codePoint);
const hex = (c: string) =>
  [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

/** Return paths that must be refused, with why, covering the space rather than one example. */
const refused: [string, string][] = [
  ...controls.flatMap((c): [string, string][] => [
    [`/${c}/evil.example`, `control U+${c.codePointAt(0)?.toString(16)} after the slash`],
    [`/tests${c}`, `control U+${c.codePointAt(0)?.toString(16)} inside`],
    [`/${hex(c)}/evil.example`, `encoded control ${hex(c)}`],
  ]),
  ...spaces.flatMap((c): [string, string][] => [
    [`/${c}/evil.example`, `whitespace U+${c.codePointAt(0)?.toString(16)}`],
    [`/${hex(c)}/evil.example`, `encoded whitespace ${hex(c)}`],
  ]),
  ["/%09/evil.example", "an encoded tab (browsers drop the tab: //evil.example)"],
  ["/%0d%0a/x", "an encoded CR LF (no Location header can carry it)"],
  ["/%0D%0ASet-Cookie:%20x=y", "header injection"],
  ["/\\evil.example", "/ then backslash"],
  ["\\\\evil.example", "two backslashes"],
  ["/\\/evil.example", "/\\/"],
  ["/tests\\new", "a backslash inside"],
  ["/%5Cevil.example", "an encoded backslash"],
  ["/%5cevil.example", "an encoded backslash, lower case"],
  ["//evil.example", "protocol-relative"],
  ["//evil.example/x", "protocol-relative with a path"],
  ["///evil.example", "three slashes"],
  ["/%2F/evil.example", "an encoded second slash"],
  ["/%2f%2fevil.example", "encoded slashes"],
  ["/./%2F/evil.example", "a dot segment then an encoded slash"],
  ["/.//evil.example", "a dot segment that leaves //"],
  ["/..//evil.example", "a dot-dot segment that leaves //"],
  ["https://evil.example/", "an absolute URL"],
  ["http://app.test/", "an absolute URL of a look-alike origin"],
  [`${APP}/tests/new`, "an absolute URL, even of this app"],
  ["javascript:alert(1)", "a javascript: URL"],
  ["data:text/html,<script>alert(1)</script>", "a data: URL"],
  ["evil.example", "no leading slash"],
  ["", "empty"],
  [" /tests/new", "a leading space"],
  ["/tests/new ", "a trailing space"],
  ["/%", "a broken percent-encoding"],
  ["/%E0%A4%A", "a truncated percent-encoding"],
  ["/%C3%28", "percent-encoded bytes that are not UTF-8"],
  [`/${"a".repeat(512)}`, "longer than 512 characters"],
  [`/${"é".repeat(200)}`, "longer than 512 characters once percent-encoded"],
];

const accepted: [string, string][] = [
  ["/", "/"],
  ["/tests/new", "/tests/new"],
  ["/tests/0b6d8f0e-2a51-4f4e-9d53-5c1c7d2b8e11", "/tests/0b6d8f0e-2a51-4f4e-9d53-5c1c7d2b8e11"],
  ["/dashboard?tab=running#top", "/dashboard?tab=running#top"],
  ["/tests/../account", "/account"],
  ["/vidéos", "/vid%C3%A9os"],
  ["/%2e%2e/account", "/account"],
];

describe("the return path of a sign-in", () => {
  it("keeps paths of this app, resolved as a browser resolves them", () => {
    for (const [requested, path] of accepted) expect(returnPathOf(requested), requested).toBe(path);
  });

  it("refuses every control character, whitespace, backslash, encoded form, other origin and oversize", () => {
    expect(refused.length).toBeGreaterThan(200);
    for (const [requested, why] of refused) expect(returnPathOf(requested), why).toBeNull();
  });

  it("answers, for any string at all, a path a browser reads as this app's origin, or nothing", () => {
    const anyString = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }).map((s) => `/${s}`),
      fc
        .array(fc.constantFrom("/", "\\", "%", "2F", "5C", "09", "0a", ".", "..", "\t", "\n", "x", ":"), {
          maxLength: 12,
        })
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(anyString, (requested) => {
        const path = returnPathOf(requested, APP);
        if (path === null) return;
        expect(path.startsWith("/") && !path.startsWith("//")).toBe(true);
        expect(path).not.toMatch(/[\s\p{Cc}\\]/u);
        // What a browser does with the Location header: resolve it against the page's origin.
        const landed = new URL(path, APP);
        expect(landed.origin).toBe(APP);
        expect(`${landed.pathname}${landed.search}${landed.hash}`).toBe(path);
      }),
      { numRuns: 2_000, seed: 20261201 },
    );
  });
});

describe("starting a sign-in with a return path", () => {
  it("answers 400 in the API's error shape for every refused return path, before any sign-in starts", async () => {
    for (const [requested, why] of refused) {
      const query = new URLSearchParams({ returnTo: requested, login_hint: "nobody@example.com" });
      const res = await SELF.fetch(`${APP}/api/auth/google/start?${query}`, { redirect: "manual" });
      expect(res.status, why).toBe(400);
      const body = (await res.json()) as { error: { code: string; requestId: string; details?: unknown } };
      expect(body.error.code, why).toBe("validation_failed");
      expect(typeof body.error.requestId).toBe("string");
      expect(JSON.stringify(body.error.details)).toContain("returnTo");
      expect(cookieFrom(res, OAUTH_COOKIE), why).toBeUndefined();
    }
  }, 120_000);

  it("lands on an accepted path after signing in", async () => {
    const account = await createGoogleAccount();
    const { consentUrl, oauthCookie } = await startSignIn(account.email, "/tests/../account");
    const res = await SELF.fetch(await consent(consentUrl), {
      headers: { cookie: oauthCookie },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/account");
    expect(cookieFrom(res, "__Host-ttp_session")).toBeDefined();
  });

  it("lands on the home page, not a 500, when a sealed attempt carries a bad return path", async () => {
    // An attempt sealed before /start refused these (cookies live 10 minutes past a deploy).
    for (const returnTo of ["/\t/evil.example", "/\r\n/x", "//evil.example", "/\u2028"]) {
      const account = await createGoogleAccount();
      const { consentUrl, oauthCookie } = await startSignIn(account.email);
      const attempt = await openAttempt(env, oauthCookie.slice(OAUTH_COOKIE.length + 1));
      if (!attempt) throw new Error("the attempt did not open");
      const resealed = `${OAUTH_COOKIE}=${await sealAttempt(env, { ...attempt, returnTo })}`;
      const res = await SELF.fetch(await consent(consentUrl), {
        headers: { cookie: resealed },
        redirect: "manual",
      });
      expect(res.status, JSON.stringify(returnTo)).toBe(302);
      expect(res.headers.get("location")).toBe("/");
      const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
      expect(user).toBeDefined();
    }
  });
});
