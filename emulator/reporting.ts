import { logCall } from "./call-log";
import { type ChannelRow, channelsOf, getChannel } from "./catalog";
import { faultFor } from "./faults";
import { INVALID_CREDENTIALS_MESSAGE, serverErrorMessage, unauthorizedHeaders } from "./google-errors";
import { resolveAccess } from "./oauth";
import { addDays, DAY_MS, nextDay, pacificDay, pacificDayStart } from "./pacific-time";
import { isReply, json, type Reply } from "./reply";
import { REPORT_TYPES, reportCsv } from "./report-types";
import { isoSeconds } from "./resources";

/**
 * The YouTube Reporting API v1 (youtubereporting.googleapis.com) for channel owners: report types,
 * reporting jobs (one per channel and report type) and the daily reports each job produces on the
 * simulated clock. A job's first reports appear 48 simulated hours after it was created and cover
 * the 30 days before it (backfill, kept 30 days); after that one report a day, each created once
 * its day is 48 hours past (the Analytics lag) and kept 60 days. Reports are derived, never stored:
 * the simulation's completed days never change, so the same report always downloads the same CSV.
 * No Data API quota; errors use the newer Google envelope `{ error: { code, message, status } }`.
 */

/** A Reporting API method, as the call log and fault injection name it. */
export type ReportingMethod =
  | "reporting.reportTypes.list"
  | "reporting.jobs.create"
  | "reporting.jobs.list"
  | "reporting.jobs.get"
  | "reporting.jobs.delete"
  | "reporting.reports.list"
  | "reporting.reports.get"
  | "reporting.media.download";

/** A Reporting API call as the routes hand it over. */
export interface ReportingCall {
  method: ReportingMethod;
  bearer?: string;
  jobId?: string;
  reportId?: string;
  /** `/v1/media/{resourceName}`: the resource name. */
  resourceName?: string;
  params: Record<string, string>;
  body?: string;
  /** The emulator's own origin (download URLs point back at it). */
  origin: string;
}

/** Delay between a job's creation and its first reports, and between a day's end and its report. */
export const REPORT_DELAY_MS = 2 * DAY_MS;
const BACKFILL_DAYS = 30;
const BACKFILL_KEPT_MS = 30 * DAY_MS;
const DAILY_KEPT_MS = 60 * DAY_MS;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
};

/** An error in the Reporting API's envelope. */
export function reportingError(code: number, message: string): Reply {
  const error = { code, message, status: STATUS_NAMES[code] ?? "UNKNOWN" };
  return json(code, { error }, unauthorizedHeaders(code));
}

const notFound = () => reportingError(404, "Requested entity was not found.");
const PERMISSION_DENIED = "The caller does not have permission";
const invalid = (message: string) => reportingError(400, message);

type JobRow = { id: string; channel_id: string; report_type_id: string; name: string; create_sim: number };

/** A report a job has produced (derived from the job and the clock). */
interface ReportEntry {
  id: string;
  day: string;
  startTime: number;
  endTime: number;
  createTime: number;
}

function jobResource(row: JobRow) {
  return {
    id: row.id,
    reportTypeId: row.report_type_id,
    name: row.name,
    createTime: new Date(row.create_sim).toISOString(),
  };
}

/** The reports of a job that exist at `nowSim` (created, not yet expired), newest day first. */
function reportsOf(job: JobRow, nowSim: number): ReportEntry[] {
  const firstDay = pacificDay(job.create_sim);
  const firstAt = job.create_sim + REPORT_DELAY_MS;
  // Nothing older than the longest retention can still be there: start no earlier than that.
  const horizon = addDays(pacificDay(nowSim), -Math.ceil((DAILY_KEPT_MS + REPORT_DELAY_MS) / DAY_MS) - 1);
  let day = addDays(firstDay, -BACKFILL_DAYS);
  if (day < horizon) day = horizon;
  const out: ReportEntry[] = [];
  for (; ; day = nextDay(day)) {
    const startTime = pacificDayStart(day);
    const endTime = pacificDayStart(nextDay(day));
    const createTime = Math.max(firstAt, endTime + REPORT_DELAY_MS);
    if (createTime > nowSim) break;
    const kept = day < firstDay ? BACKFILL_KEPT_MS : DAILY_KEPT_MS;
    if (createTime + kept <= nowSim) continue;
    out.push({ id: day.replaceAll("-", ""), day, startTime, endTime, createTime });
  }
  return out.reverse();
}

function reportResource(job: JobRow, r: ReportEntry, origin: string) {
  return {
    id: r.id,
    jobId: job.id,
    startTime: isoSeconds(r.startTime),
    endTime: isoSeconds(r.endTime),
    createTime: new Date(r.createTime).toISOString(),
    downloadUrl: `${origin}/v1/media/${mediaName(job, r.id)}?alt=media`,
  };
}

const mediaName = (job: JobRow, reportId: string) =>
  `CHANNEL/${job.channel_id}/jobs/${job.id}/reports/${reportId}`;

function encodeToken(offset: number): string {
  return btoa(`offset:${offset}`).replaceAll("=", "");
}

function decodeToken(token: string): number | undefined {
  try {
    const match = /^offset:(\d+)$/.exec(atob(token));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** pageSize and pageToken, checked; a Reply when they are invalid. */
function paging(params: Record<string, string>): { offset: number; size: number } | Reply {
  const size = params.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number(params.pageSize);
  if (!Number.isInteger(size) || size < 0)
    return invalid(`Invalid value at 'page_size' (TYPE_INT32), "${params.pageSize}"`);
  const offset = params.pageToken ? decodeToken(params.pageToken) : 0;
  if (offset === undefined) return invalid("Invalid page token.");
  return { offset, size: Math.min(size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) };
}

function page<T>(items: T[], p: { offset: number; size: number }): { items: T[]; nextPageToken?: string } {
  const slice = items.slice(p.offset, p.offset + p.size);
  const next = p.offset + p.size < items.length ? encodeToken(p.offset + p.size) : undefined;
  return { items: slice, ...(next ? { nextPageToken: next } : {}) };
}

/** An RFC 3339 timestamp parameter, checked; undefined when absent, a Reply when invalid. */
function timeParam(params: Record<string, string>, name: string, field: string): number | undefined | Reply {
  const value = params[name];
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? Date.parse(value)
    : Number.NaN;
  if (Number.isNaN(ms))
    return invalid(
      `Invalid value at '${field}' (type.googleapis.com/google.protobuf.Timestamp), Field '${name}', Invalid time format: ${value}`,
    );
  return ms;
}

interface Ctx {
  sql: SqlStorage;
  channel: ChannelRow;
  call: ReportingCall;
  nowSim: number;
}

function findJob(ctx: Ctx): JobRow | undefined {
  return ctx.sql
    .exec<JobRow>(
      "SELECT * FROM reporting_jobs WHERE id = ? AND channel_id = ?",
      ctx.call.jobId ?? "",
      ctx.channel.id,
    )
    .toArray()[0];
}

function reportTypesList(ctx: Ctx): Reply {
  const p = paging(ctx.call.params);
  if (isReply(p)) return p;
  const all = [...REPORT_TYPES.values()].map((t) => ({ id: t.id, name: t.name }));
  const { items, nextPageToken } = page(all, p);
  return json(200, { reportTypes: items, ...(nextPageToken ? { nextPageToken } : {}) });
}

function jobsCreate(ctx: Ctx): Reply {
  let body: { reportTypeId?: unknown; name?: unknown };
  try {
    body = JSON.parse(ctx.call.body || "{}") as typeof body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("not an object");
  } catch {
    return invalid("Invalid JSON payload received.");
  }
  const { reportTypeId, name } = body;
  if (typeof reportTypeId !== "string" || !reportTypeId) return invalid("Job report type id is required.");
  if (typeof name !== "string" || !name) return invalid("Job name is required.");
  if (name.length > 100) return invalid("Job name is too long (max. 100 characters).");
  if (!REPORT_TYPES.has(reportTypeId)) return invalid(`Invalid report type id: ${reportTypeId}`);
  const existing = ctx.sql
    .exec<{ id: string }>(
      "SELECT id FROM reporting_jobs WHERE channel_id = ? AND report_type_id = ?",
      ctx.channel.id,
      reportTypeId,
    )
    .toArray()[0];
  if (existing) return reportingError(409, "Requested entity already exists");
  const row: JobRow = {
    id: crypto.randomUUID(),
    channel_id: ctx.channel.id,
    report_type_id: reportTypeId,
    name,
    create_sim: ctx.nowSim,
  };
  ctx.sql.exec(
    "INSERT INTO reporting_jobs (id, channel_id, report_type_id, name, create_sim) VALUES (?, ?, ?, ?, ?)",
    row.id,
    row.channel_id,
    row.report_type_id,
    row.name,
    row.create_sim,
  );
  return json(200, jobResource(row));
}

function jobsList(ctx: Ctx): Reply {
  const p = paging(ctx.call.params);
  if (isReply(p)) return p;
  const rows = ctx.sql
    .exec<JobRow>("SELECT * FROM reporting_jobs WHERE channel_id = ? ORDER BY create_sim, id", ctx.channel.id)
    .toArray();
  const { items, nextPageToken } = page(rows.map(jobResource), p);
  // proto3 JSON leaves empty lists out: no jobs answers `{}`.
  return json(200, { ...(items.length ? { jobs: items } : {}), ...(nextPageToken ? { nextPageToken } : {}) });
}

function jobsGet(ctx: Ctx): Reply {
  const job = findJob(ctx);
  return job ? json(200, jobResource(job)) : notFound();
}

function jobsDelete(ctx: Ctx): Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  ctx.sql.exec("DELETE FROM reporting_jobs WHERE id = ?", job.id);
  return json(200, {});
}

function reportsList(ctx: Ctx): Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  const p = paging(ctx.call.params);
  if (isReply(p)) return p;
  const createdAfter = timeParam(ctx.call.params, "createdAfter", "created_after");
  if (isReply(createdAfter)) return createdAfter;
  const atOrAfter = timeParam(ctx.call.params, "startTimeAtOrAfter", "start_time_at_or_after");
  if (isReply(atOrAfter)) return atOrAfter;
  const before = timeParam(ctx.call.params, "startTimeBefore", "start_time_before");
  if (isReply(before)) return before;
  const matching = reportsOf(job, ctx.nowSim).filter(
    (r) =>
      (createdAfter === undefined || r.createTime > createdAfter) &&
      (atOrAfter === undefined || r.startTime >= atOrAfter) &&
      (before === undefined || r.startTime < before),
  );
  const { items, nextPageToken } = page(matching, p);
  return json(200, {
    ...(items.length ? { reports: items.map((r) => reportResource(job, r, ctx.call.origin)) } : {}),
    ...(nextPageToken ? { nextPageToken } : {}),
  });
}

function reportsGet(ctx: Ctx): Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  const report = reportsOf(job, ctx.nowSim).find((r) => r.id === ctx.call.reportId);
  return report ? json(200, reportResource(job, report, ctx.call.origin)) : notFound();
}

function mediaDownload(ctx: Ctx): Reply {
  const name = ctx.call.resourceName ?? "";
  const match = /^CHANNEL\/([\w-]+)\/jobs\/([\w-]+)\/reports\/(\d{8})$/.exec(name);
  if (!match) return notFound();
  const [, channelId, jobId, reportId] = match as unknown as [string, string, string, string];
  if (channelId !== ctx.channel.id) {
    // Another owner's report: Google does not say whether it exists.
    return getChannel(ctx.sql, channelId) ? reportingError(403, PERMISSION_DENIED) : notFound();
  }
  const job = findJob({ ...ctx, call: { ...ctx.call, jobId } });
  const report = job && reportsOf(job, ctx.nowSim).find((r) => r.id === reportId);
  const type = job && REPORT_TYPES.get(job.report_type_id);
  if (!job || !report || !type) return notFound();
  if (ctx.call.params.alt !== "media") return json(200, { resourceName: name });
  return {
    status: 200,
    body: reportCsv(ctx.sql, type, job.channel_id, report.day),
    contentType: "text/csv; charset=utf-8",
  };
}

const HANDLERS: Record<ReportingMethod, (ctx: Ctx) => Reply> = {
  "reporting.reportTypes.list": reportTypesList,
  "reporting.jobs.create": jobsCreate,
  "reporting.jobs.list": jobsList,
  "reporting.jobs.get": jobsGet,
  "reporting.jobs.delete": jobsDelete,
  "reporting.reports.list": reportsList,
  "reporting.reports.get": reportsGet,
  "reporting.media.download": mediaDownload,
};

const SCOPES = [
  "https://www.googleapis.com/auth/yt-analytics.readonly",
  "https://www.googleapis.com/auth/yt-analytics-monetary.readonly",
];

/**
 * Runs one Reporting API call: authenticate the bearer token (the API takes no API keys), check
 * the scope, find the caller's channel, apply injected faults, run the method, log it (0 units).
 */
export function handleReportingCall(
  sql: SqlStorage,
  call: ReportingCall,
  nowSim: number,
  nowReal: number,
): Reply {
  let project: string | null = null;
  let sub: string | null = null;
  const log = (reply: Reply) =>
    logCall(
      sql,
      { method: call.method, project, units: 0, videoId: null, auth: "oauth", sub },
      reply,
      nowReal,
    );
  const holder = call.bearer ? resolveAccess(sql, call.bearer, nowReal) : undefined;
  if (!holder) {
    return log(reportingError(401, INVALID_CREDENTIALS_MESSAGE));
  }
  sub = holder.sub;
  project =
    sql.exec<{ id: string }>("SELECT id FROM projects WHERE client_id = ?", holder.clientId).toArray()[0]
      ?.id ?? null;
  const scopes = holder.scope.split(" ");
  if (!SCOPES.some((s) => scopes.includes(s)))
    return log(reportingError(403, "Request had insufficient authentication scopes."));
  const channel = channelsOf(sql, holder.sub)[0];
  if (!channel) return log(reportingError(403, PERMISSION_DENIED));
  const fault = faultFor(sql, call.method, project ?? undefined);
  if (fault.failStatus) {
    const message = fault.failStatus === 403 ? PERMISSION_DENIED : serverErrorMessage(fault.failStatus);
    return { ...log(reportingError(fault.failStatus, message)), delayMs: fault.delayMs };
  }
  return { ...log(HANDLERS[call.method]({ sql, channel, call, nowSim })), delayMs: fault.delayMs };
}
