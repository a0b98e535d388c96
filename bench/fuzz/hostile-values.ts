import fc from "fast-check";
import { APP } from "../../test/worker/auth-fixtures";

/**
 * The hostile values the fuzzer draws from (fast-check arbitraries): strings that have broken web
 * apps, numbers and dates at and past their edges, JSON of any shape, bodies broken on the wire,
 * odd query strings, methods, bearer tokens, and what a sign-in's `returnTo`, `state`, `code` and
 * `error` can be made to carry. Nothing here knows a route or an id.
 */

/** A string without lone surrogates, which no URL or header can carry (each becomes `x`). */
export const sendable = (s: string) => s.replace(/[\ud800-\udfff]/g, "x");

/** A site that is not the app. */
export const EVIL = "https://evil.example";

/** Bodies too big or too deep for any route: 2 MB, 100,000 elements, 5,000 levels. */
export const HUGE = `{"titles":["${"x".repeat(2 * 1024 * 1024)}"]}`;
export const HUGE_ARRAY = JSON.stringify({ titles: Array.from({ length: 100_000 }, (_, i) => `t${i}`) });
export const DEEP = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;

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

/** A hostile string: from the list, or random (code points, graphemes, bytes, lone surrogates). */
export const hostileString = fc.oneof(
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

/** Numbers at and past every edge. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 1.5, 15, 60, 240, 1440, 1e9, -1e9, 2 ** 53 + 1, 1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value at all, hostile strings included. */
export const anyJson = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** Impossible, extreme and ordinary instants. */
export const hostileDate = fc.oneof(
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

/** A list of titles: hostile, valid, or not strings at all. */
export const titleList = fc.oneof(
  fc.array(hostileString, { maxLength: 7 }),
  fc.constant(["A sharper title", "A bolder title"]),
  fc.array(anyJson, { maxLength: 3 }),
);

/** An object of the expected fields, each valid, broken, missing, or joined by unknown ones. */
export function shapedBody(
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
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

/** How the body travels: JSON, or broken on the wire. */
export const wire = fc.oneof(
  { weight: 10, arbitrary: fc.constant("json") },
  { weight: 1, arbitrary: fc.constant("malformed") },
  { weight: 1, arbitrary: fc.constant("badUtf8") },
  { weight: 1, arbitrary: fc.constant("wrongType") },
  { weight: 1, arbitrary: fc.constant("none") },
  { weight: 1, arbitrary: fc.constant("random") },
  { weight: 1, arbitrary: fc.constant("huge") },
  { weight: 1, arbitrary: fc.constant("deep") },
);
/** The ways a body travels. */
export type Wire = "json" | "malformed" | "badUtf8" | "wrongType" | "none" | "random" | "huge" | "deep";

/** Content types a JSON body should not be read as. */
export const contentTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/json; charset=utf-16",
  "application/JSON",
  "application/json, text/plain",
  "",
];

/** An odd query string: hostile values, duplicates, arrays, sizes. */
export const oddQuery = fc.oneof(
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
          Object.entries(d).map(([k, v]): [string, string] => [sendable(k), sendable(v)]),
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

/** Methods, odd ones included (workerd refuses methods it does not know, FOO: these are the ones it sends). */
export const methods = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "PROPFIND",
  "get",
  "patch",
];

/** Bearer tokens of the admin and metrics routes: absent, wrong, malformed, or right. */
export const bearer = fc.constantFrom("none", "wrong", "malformed", "right", "rightPadded", "basic");

/** Control characters and whitespace a browser drops from or misreads in a URL. */
const sneakyChars = [
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\u0000",
  "\u000b",
  "\u000c",
  "\u001f",
  "\u007f",
  " ",
  "\u00a0",
  "\u2028",
];

/**
 * What a sign-in link's `returnTo` can carry: paths of the app, other sites written every way a
 * browser might still follow (protocol-relative, backslashes, control characters and whitespace
 * raw and percent-encoded, dot segments), absolute and scripted URLs, and sizes.
 */
export const hostileReturnTo: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom("/", "/tests/new", "/account", "/dashboard?x=1#y", "/tests/../account"),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "/%09/evil.example",
      "/%0d%0a/x",
      "/%0D%0ASet-Cookie:%20x=y",
      "//evil.example",
      "///evil.example",
      "/\\evil.example",
      "/\\/evil.example",
      "\\\\evil.example",
      "/%5Cevil.example",
      "/%2F/evil.example",
      "/%2f%2fevil.example",
      "/.//evil.example",
      "/..//evil.example",
      "/./%2F/evil.example",
      "https://evil.example/",
      `${APP}/tests/new`,
      "http://app.test/",
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "evil.example",
      "",
      "/%",
      "/%C3%28",
      `/${"a".repeat(511)}`,
      `/${"a".repeat(512)}`,
      `/${"é".repeat(200)}`,
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...sneakyChars),
        fc.boolean(),
        fc.constantFrom("/evil.example", "evil.example", "/x", ""),
      )
      .map(([c, encoded, rest]) => {
        const char = encoded
          ? [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")
          : c;
        return `/${char}${rest}`;
      }),
  },
  { weight: 2, arbitrary: hostileString.map((s) => `/${sendable(s)}`) },
  { weight: 1, arbitrary: hostileString.map(sendable) },
);

/** What a callback's `state`, `code` or `error` can carry besides the right value (all `sendable`). */
export const hostileOAuthValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "null",
    "access_denied",
    "consent_required",
    "4/",
    "x".repeat(201),
    "x".repeat(4097),
  ),
  hostileString.map(sendable),
);
