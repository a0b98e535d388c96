import { env } from "cloudflare:test";
import fc from "fast-check";
import { APP } from "../../test/worker/auth-fixtures";
import {
  anyJson,
  bearer,
  contentTypes,
  DEEP,
  EVIL,
  HUGE,
  HUGE_ARRAY,
  hostileString,
  methods,
  oddQuery,
  sendable,
  type Wire,
  wire,
} from "./hostile-values";
import { adminId, ROUTES, signsAliceOut, testRef, videoPath } from "./routes";
import { type SessionKind, sessionKinds, type World } from "./world";

/**
 * The fuzzer's plans: what the runner sends (`Plan`), and the plans of single requests, one route
 * of the route table each, sent by Alice, by nobody or by a forged session, from the app's origin
 * or another, with a body valid, broken or broken on the wire.
 */

/** One request, ready to send through `SELF.fetch`. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** An answer the runner received (and counted), or `null` when the fetch API refused to send. */
export type Sent = { res: Response; text: string } | null;

/** Sends one request of a plan, counting its answer under `route` and checking what every answer must be. */
export type Send = (route: string, req: FuzzRequest) => Promise<Sent>;

/** How a plan ended. */
export interface Outcome {
  /** The status of its last answer. */
  status: number;
  /** Refused: then the database must not have changed. */
  refused: boolean;
  /** What was sent and answered, for a finding. */
  request: string;
  answer: string;
  /** The plan's own invariants that broke. */
  violations: string[];
  /** Adds what an accepted plan made to the world, once its checksum is taken. */
  accepted?: () => void;
}

/** A generated request, or sequence of requests, to send once the run's ids are known. */
export interface Plan {
  route: string;
  mutation: string;
  /** Sends it; `null` when nothing could be sent. */
  run(world: World, send: Send): Promise<Outcome | null>;
}

/** A short, printable description of a request. */
export function describeRequest(req: FuzzRequest): string {
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

/** One request: a route, who sends it, from where, with what. */
export const planArb: fc.Arbitrary<Plan> = fc
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
    videoPath,
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
      async run(world: World, send: Send): Promise<Outcome | null> {
        const req = build(world);
        const sent = await send(route.route, req);
        if (!sent) return null;
        return {
          status: sent.res.status,
          refused: sent.res.status >= 400 && sent.res.status < 500,
          request: describeRequest(req),
          answer: `${sent.res.headers.get("x-request-id") ?? ""} ${sent.text.slice(0, 500)}`,
          violations: [],
          accepted: route.accepted && (() => route.accepted?.(world, sent.res.status, sent.text)),
        };
      },
    };
    function build(world: World): FuzzRequest {
      const method = choice.methodOverride ?? route.method;
      const id = route.video
        ? choice.videoPath(world)
        : route.bearer === "admin"
          ? choice.adminId(world)
          : choice.testRef(world);
      let path = route.path(world, id);
      // An odd query joins the query a route's path may already carry.
      if (choice.query) path += path.includes("?") ? `&${choice.query.slice(1)}` : choice.query;
      const headers: Record<string, string> = {};
      let session = world.sessions[choice.session];
      let origin = choice.origin;
      // Signing Alice out or deleting her would end the run early: those get refused ways only.
      const signsOut = signsAliceOut(world, method, route.path(world, id));
      if (signsOut && session.includes(world.alice.session) && origin === APP) origin = EVIL;
      if (route.signInAttempt && choice.oauth >= 0) {
        const attempt = world.oauthCookies[choice.oauth] as World["oauthCookies"][number];
        session = session ? `${session}; ${attempt.cookie}` : attempt.cookie;
        const state = choice.callbackState === "right" ? attempt.state : choice.callbackState;
        path = `${route.path(world, id)}?${new URLSearchParams({ state: sendable(state), code: "fuzz-code" })}`;
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
    }
  });
