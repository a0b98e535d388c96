import { reportsQuery } from "./analytics";
import { logCall } from "./call-log";
import {
  type ApiContext,
  channelsList,
  type MethodResult,
  playlistItemsList,
  videosList,
  videosUpdate,
} from "./data-api";
import { faultFor } from "./faults";
import {
  insufficientScope,
  invalidCredentials,
  keyInvalid,
  missingCredentials,
  quotaExceeded,
  serverError,
} from "./google-errors";
import { type AccessHolder, resolveAccess } from "./oauth";
import { COSTS, charge, fits, type ProjectRow } from "./quota";
import type { Reply } from "./reply";
import type { Settings } from "./settings";
import { simNow } from "./settings";

/**
 * The path every Data/Analytics API call takes, in Google's order: authenticate (token or key),
 * pick the project to charge, check the project's day (a spent project is refused at the front
 * door, so an injected backend fault never pushes it past its limit), apply injected faults, run
 * the method, charge what the call cost and log it.
 *
 * Charging: a successful call costs its method's units; any other call charged to a project costs
 * 1 ("a rejected call still costs ≥ 1"), server failures included; calls refused before a project
 * is known (bad key or token) and calls refused for quota (a spent day, or an injected 403) cost
 * nothing.
 */

/** An API method the gateway serves. */
export type ApiMethod = keyof typeof COSTS | "analytics.reports";

/** A call as the routes hand it over. */
export interface ApiCall {
  method: ApiMethod;
  bearer?: string;
  key?: string;
  params: Record<string, string>;
  body?: string;
  /** The emulator's own origin (thumbnail URLs point back at it). */
  origin: string;
}

const HANDLERS: Partial<Record<ApiMethod, (ctx: ApiContext) => MethodResult>> = {
  "channels.list": channelsList,
  "playlistItems.list": playlistItemsList,
  "videos.list": videosList,
  "videos.update": videosUpdate,
  "analytics.reports": reportsQuery,
};

function costOf(method: ApiMethod): number {
  return method === "analytics.reports" ? 0 : COSTS[method];
}

function scopeAllows(method: ApiMethod, scope: string): boolean {
  const scopes = scope.split(" ");
  const has = (s: string) => scopes.includes(`https://www.googleapis.com/auth/${s}`);
  if (method === "analytics.reports")
    return has("yt-analytics.readonly") || has("youtube") || has("youtube.readonly");
  if (method === "videos.update") return has("youtube") || has("youtube.force-ssl");
  return has("youtube") || has("youtube.readonly") || has("youtube.force-ssl");
}

/** Runs one API call against the emulator's state. */
export function handleApiCall(sql: SqlStorage, call: ApiCall, settings: Settings, nowReal: number): Reply {
  const log = (
    project: string | null,
    units: number,
    reply: Reply,
    auth: "oauth" | "key" | "none",
    sub: string | null,
    videoId?: string,
  ) =>
    logCall(
      sql,
      { method: call.method, project, units, videoId: videoId ?? call.params.id ?? null, auth, sub },
      reply,
      nowReal,
    );

  let holder: AccessHolder | undefined;
  let project: ProjectRow | undefined;
  let auth: "oauth" | "key" | "none" = "none";
  if (call.bearer !== undefined) {
    auth = "oauth";
    holder = resolveAccess(sql, call.bearer, nowReal);
    if (!holder) return log(null, 0, invalidCredentials(), auth, null);
    project = sql
      .exec<ProjectRow>("SELECT * FROM projects WHERE client_id = ?", holder.clientId)
      .toArray()[0];
    if (!project) return log(null, 0, invalidCredentials(), auth, holder.sub);
    if (!scopeAllows(call.method, holder.scope))
      return log(project.id, 0, insufficientScope(), auth, holder.sub);
  } else if (call.key !== undefined) {
    auth = "key";
    project = sql.exec<ProjectRow>("SELECT * FROM projects WHERE api_key = ?", call.key).toArray()[0];
    if (!project) return log(null, 0, keyInvalid(), auth, null);
  } else {
    return log(null, 0, missingCredentials(), auth, null);
  }
  const sub = holder?.sub ?? null;

  const cost = costOf(call.method);
  const fault = faultFor(sql, call.method, project.id);
  // An injected 403 is Google refusing for quota though the day is not spent (a limit the app
  // cannot see, e.g. one changed in the console): free, as every quota refusal.
  if ((cost > 0 && !fits(sql, project, cost, nowReal)) || fault.failStatus === 403) {
    return { ...log(project.id, 0, quotaExceeded(), auth, sub), delayMs: fault.delayMs };
  }
  if (fault.failStatus) {
    const units = Math.min(cost, 1);
    charge(sql, project.id, units, nowReal);
    return { ...log(project.id, units, serverError(fault.failStatus), auth, sub), delayMs: fault.delayMs };
  }
  const handler = HANDLERS[call.method];
  if (!handler) return log(project.id, 0, serverError(501), auth, sub);
  const result = handler({
    sql,
    holder,
    params: call.params,
    body: call.body,
    nowSim: simNow(settings, nowReal),
    propagationSeconds: settings.propagationSeconds,
    origin: call.origin,
  });
  const units = result.reply.status < 400 ? cost : Math.min(cost, 1);
  charge(sql, project.id, units, nowReal);
  return { ...log(project.id, units, result.reply, auth, sub, result.videoId), delayMs: fault.delayMs };
}
