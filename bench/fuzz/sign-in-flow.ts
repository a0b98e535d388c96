import { env } from "cloudflare:test";
import fc from "fast-check";
import { APP, consent, cookieFrom } from "../../test/worker/auth-fixtures";
import { OAUTH_COOKIE } from "../../worker/auth/oauth-state";
import { SESSION_COOKIE } from "../../worker/auth/session";
import { googleEndpoints } from "../../worker/youtube/endpoints";
import { hostileOAuthValue, hostileReturnTo } from "./hostile-values";
import { describeRequest, type FuzzRequest, type Outcome, type Plan, type Send } from "./requests";
import type { World } from "./world";

/**
 * The whole sign-in flow, driven as an attacker would: one or two attempts started
 * (`GET /api/auth/google/start?returnTo=…`), the emulator's consent for each (its `login_hint`
 * picks the account, as in test/worker/auth-flow.test.ts), then the callback with the right or a
 * hostile `state`, `code` and `error`, and the attempt's sealed `__Host-` cookie as it was,
 * tampered, truncated, swapped with the other attempt's, doubled or missing; sometimes replayed.
 * Its invariants, besides the runner's (no 5xx, every redirect safe, see `redirectProblem`):
 * - only a callback whose cookie, state and code all belong to one attempt, without `error`,
 *   signs anyone in, and such a callback does sign its account in;
 * - a replayed callback signs no one in;
 * - a refused flow (no session cookie) changes nothing in the database: no user, no event.
 */

/** The route names a flow's requests are counted under. */
const START = "sign-in flow: GET /api/auth/google/start";
const CALLBACK = "sign-in flow: GET /api/auth/google/callback";

/** Where the start must send a browser: the consent page of the configured Google. */
const consentPage = `${googleEndpoints(env).accounts}/o/oauth2/v2/auth?`;

/**
 * Why a redirect's `Location` is unsafe, or `null` when it is safe: the start may send the browser
 * to Google's consent page; every other redirect must be a path of this app that a browser cannot
 * read as another host (no `//`, `/\`, whitespace or control characters, once resolved).
 */
export function redirectProblem(route: string, location: string): string | null {
  if (route.endsWith("GET /api/auth/google/start") && location.startsWith(consentPage)) return null;
  if (/[\s\p{Cc}\\]/u.test(location)) return "whitespace, a control character or a backslash";
  if (!location.startsWith("/") || location.startsWith("//")) return "not a path of this app";
  let resolved: URL;
  try {
    resolved = new URL(location, APP);
  } catch {
    return "not a URL";
  }
  if (resolved.origin !== APP) return `leads to ${resolved.origin}`;
  if (resolved.pathname.startsWith("//")) return "resolves to a path that starts with //";
  return null;
}

/** Which attempt a part of the callback comes from (0 or 1), or a value of no attempt. */
type Source = 0 | 1 | "none" | "hostile";

interface FlowChoice {
  attempts: { returnTo: string | null; account: number }[];
  cookie: "own" | "other" | "none" | "tampered" | "truncated" | "both" | "garbage" | "empty";
  state: Source;
  code: Source;
  error: string | null;
  hostileState: string;
  hostileCode: string;
  replay: boolean;
  tamperAt: number;
}

const source = (weights: [number, number, number, number]) =>
  fc.oneof(
    { weight: weights[0], arbitrary: fc.constant<Source>(0) },
    { weight: weights[1], arbitrary: fc.constant<Source>(1) },
    { weight: weights[2], arbitrary: fc.constant<Source>("none") },
    { weight: weights[3], arbitrary: fc.constant<Source>("hostile") },
  );

/** One sign-in flow: its attempts and how its callback is made. */
const flowChoice: fc.Arbitrary<FlowChoice> = fc.record({
  attempts: fc.array(
    fc.record({
      returnTo: fc.oneof(
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 3, arbitrary: hostileReturnTo },
      ),
      // -1: an account the emulator does not know (its consent page answers, no code).
      account: fc.oneof({ weight: 6, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(-1) }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  cookie: fc.oneof(
    { weight: 6, arbitrary: fc.constant("own" as const) },
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        "other" as const,
        "none" as const,
        "tampered" as const,
        "truncated" as const,
        "both" as const,
        "garbage" as const,
        "empty" as const,
      ),
    },
  ),
  state: source([6, 1, 1, 2]),
  code: source([6, 1, 1, 2]),
  error: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.constantFrom("access_denied", "consent_required"), hostileOAuthValue),
    },
  ),
  hostileState: hostileOAuthValue,
  hostileCode: hostileOAuthValue,
  replay: fc.boolean(),
  tamperAt: fc.nat(),
});

interface Attempt {
  cookie?: string;
  state?: string;
  code?: string;
}

/** A sealed cookie with one character of its token changed (`at` picks which). */
function tamper(cookie: string, at: number): string {
  const [name, token = ""] = cookie.split(/=(.*)/s);
  const i = at % Math.max(1, token.length);
  const c = token[i] === "A" ? "B" : "A";
  return `${name}=${token.slice(0, i)}${c}${token.slice(i + 1)}`;
}

/** Whether an answer sets a session cookie with a value (signs someone in). */
export function sessionSet(res: Response): boolean {
  const cookie = cookieFrom(res, SESSION_COOKIE);
  return cookie !== undefined && cookie.length > SESSION_COOKIE.length + 1;
}

/** Follows the emulator's consent (outside the Worker): its redirect's `code`, if it gave one. */
async function consentCode(consentUrl: string): Promise<string | undefined> {
  // An account the emulator does not know gets its consent page, not a redirect: no code.
  const callbackUrl = await consent(consentUrl).catch(() => undefined);
  return callbackUrl ? (new URL(callbackUrl).searchParams.get("code") ?? undefined) : undefined;
}

/** The plan of one sign-in flow. */
export const signInFlowArb: fc.Arbitrary<Plan> = flowChoice.map((choice) => ({
  route: "sign-in flow",
  mutation: [
    `${choice.attempts.length} attempt${choice.attempts.length > 1 ? "s" : ""}`,
    choice.attempts.some((a) => a.returnTo !== null) ? "returnTo" : "",
    `cookie:${choice.cookie}`,
    `state:${choice.state}`,
    `code:${choice.code}`,
    choice.error !== null ? "error" : "",
    choice.replay ? "replay" : "",
  ]
    .filter(Boolean)
    .join("+"),
  async run(world: World, send: Send): Promise<Outcome | null> {
    const attempts: Attempt[] = [];
    const log: string[] = [];
    for (const planned of choice.attempts) {
      const query = new URLSearchParams({
        login_hint: world.signInAccounts[planned.account] ?? "nobody-here@example.com",
        ...(planned.returnTo !== null ? { returnTo: planned.returnTo } : {}),
      });
      const req: FuzzRequest = { method: "GET", path: `/api/auth/google/start?${query}`, headers: {} };
      const sent = await send(START, req);
      log.push(`${describeRequest(req)}\n    → ${sent?.res.status ?? "not sent"}`);
      const attempt: Attempt = {};
      attempts.push(attempt);
      const location = sent?.res.status === 302 ? sent.res.headers.get("location") : null;
      if (!sent || !location?.startsWith(consentPage)) continue;
      attempt.cookie = cookieFrom(sent.res, OAUTH_COOKIE);
      attempt.state = new URL(location).searchParams.get("state") ?? undefined;
      attempt.code = await consentCode(location);
    }

    const pick = (from: Source, field: "state" | "code", hostile: string): string | undefined =>
      from === "hostile" ? hostile : from === "none" ? undefined : attempts[from]?.[field];
    const state = pick(choice.state, "state", choice.hostileState);
    const code = pick(choice.code, "code", choice.hostileCode);
    const params = new URLSearchParams();
    if (state !== undefined) params.set("state", state);
    if (code !== undefined) params.set("code", code);
    if (choice.error !== null) params.set("error", choice.error);
    const own = attempts[0]?.cookie;
    const other = attempts[1]?.cookie;
    const cookie = {
      own,
      other,
      none: undefined,
      tampered: own && tamper(own, choice.tamperAt),
      truncated: own?.slice(0, Math.max(OAUTH_COOKIE.length + 1, own.length - 1 - (choice.tamperAt % 40))),
      both: [other, own].filter(Boolean).join("; ") || undefined,
      garbage: `${OAUTH_COOKIE}=not.a.token`,
      empty: `${OAUTH_COOKIE}=`,
    }[choice.cookie];
    const req: FuzzRequest = {
      method: "GET",
      path: `/api/auth/google/callback?${params}`,
      headers: cookie ? { cookie } : {},
    };
    const sent = await send(CALLBACK, req);
    log.push(`${describeRequest(req)}\n    → ${sent?.res.status ?? "not sent"}`);
    if (!sent) return null;

    const violations: string[] = [];
    const signedIn = sessionSet(sent.res);
    // State and code of one attempt that reached the consent, and no error.
    const oneAttempt = (from: Source) =>
      (from === 0 || from === 1) &&
      choice.state === from &&
      choice.code === from &&
      choice.error === null &&
      attempts[from]?.code !== undefined;
    // With that attempt's cookie too: a real sign-in.
    const cookieOf = choice.cookie === "own" ? 0 : choice.cookie === "other" ? 1 : "none";
    const whole = oneAttempt(cookieOf);
    // Both attempts' cookies: the app reads one of them, so a sign-in still needs state and code of one.
    const mayBeWhole = choice.cookie === "both" ? oneAttempt(choice.state) : whole;
    if (signedIn && !mayBeWhole) violations.push("signed in from a callback that is not one whole attempt");
    if (!signedIn && whole) violations.push(`a whole, untampered sign-in was refused (${sent.res.status})`);
    if (signedIn && sent.res.status !== 302) violations.push(`signed in with a ${sent.res.status}`);
    if (signedIn && choice.replay) {
      const again = await send(CALLBACK, req);
      log.push(`replayed → ${again?.res.status ?? "not sent"}`);
      if (again && sessionSet(again.res)) violations.push("a replayed callback signed in again");
    }
    return {
      status: sent.res.status,
      refused: !signedIn,
      request: log.join("\n    "),
      answer: `${sent.res.headers.get("x-request-id") ?? ""} ${sent.res.headers.get("location") ?? ""} ${sent.text.slice(0, 300)}`,
      violations,
    };
  },
}));
