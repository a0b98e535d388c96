import type { YouTubeUser } from "./client";
import type { GoogleEndpoints } from "./endpoints";
import { classifyApiError, retryAfter, YouTubeError } from "./errors";
import { type CallOptions, callDeps, type OAuthDeps } from "./oauth";
import { DEFAULT_RETRY, withRetry } from "./retry";
import { type GoogleTextAnswer, jsonBody, sendText } from "./transport";

/**
 * The YouTube Reporting API (youtubereporting.googleapis.com), where thumbnail impressions and
 * their click-through rate really come from: the Analytics API refuses those metrics. A channel
 * owner schedules one job per report type; YouTube then publishes a report a day (the first ones
 * about 48 hours after the job, covering the 30 days before it), each a CSV downloaded from its
 * `downloadUrl`. Reporting calls cost no Data API units, so nothing here goes through the quota
 * ledger; tokens come from the YouTube client's access-token path (KV cache, one refresh at a
 * time), and failures are the client's YouTubeError kinds.
 */

/** The report of thumbnail impressions and CTR per video and day. */
export const REACH_REPORT_TYPE = "channel_reach_basic_a1";

/** A reporting job (one per channel and report type). */
export interface ReportingJob {
  id: string;
  reportTypeId: string;
  name: string;
  createTime: string;
}

/** A report a job produced: the data of [startTime, endTime), downloadable from `downloadUrl`. */
export interface ReportingReport {
  id: string;
  jobId: string;
  startTime: string;
  endTime: string;
  createTime: string;
  downloadUrl: string;
}

/** One video's thumbnail reach on one Pacific day. */
export interface DailyReach {
  /** YYYY-MM-DD, Pacific. */
  day: string;
  videoId: string;
  impressions: number;
  /** round(impressions × ctr), summed over the report's rows for the video and day. */
  clicks: number;
}

/** What the Reporting client needs; everything but endpoints and accessToken has a default. */
export interface ReportingClientOptions extends CallOptions {
  endpoints: GoogleEndpoints;
  /** A valid access token for the user (`YouTubeClient.accessToken`); `force` refreshes it. */
  accessToken: (user: YouTubeUser, force?: boolean) => Promise<string>;
  /** Per-attempt timeout, ms (default 30 s: report downloads can be large). */
  timeoutMs?: number;
}

/** Filters of `listReports` (timestamps as ms since the epoch). */
export interface ReportFilter {
  /** Only reports created after this instant (new days, and backfill). */
  createdAfter?: number;
  /** Only reports whose data starts at or after this instant. */
  startTimeAtOrAfter?: number;
  /** Only reports whose data starts before this instant. */
  startTimeBefore?: number;
}

const PAGE_SIZE = 100;
/** Upper bound on pages followed: a job holds at most ~90 reports, so this only stops a loop. */
const MAX_PAGES = 50;

/** Client of the YouTube Reporting API for signed-in creators. */
export class YouTubeReportingClient {
  private readonly deps: OAuthDeps;

  constructor(private readonly options: ReportingClientOptions) {
    this.deps = callDeps(options.endpoints, options, 30_000);
  }

  /**
   * The user's job for a report type, created when missing. Idempotent: a concurrent creation
   * (409 ALREADY_EXISTS) reads the job the other caller made.
   */
  async ensureJob(user: YouTubeUser, reportTypeId: string = REACH_REPORT_TYPE): Promise<ReportingJob> {
    const existing = await this.findJob(user, reportTypeId);
    if (existing) return existing;
    try {
      return await this.json<ReportingJob>(user, "/v1/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ reportTypeId, name: `titletesterpro ${reportTypeId}` }),
      });
    } catch (err) {
      if (!(err instanceof YouTubeError) || err.status !== 409) throw err;
      const raced = await this.findJob(user, reportTypeId);
      if (raced) return raced;
      throw err;
    }
  }

  /** The user's jobs, every page. */
  async listJobs(user: YouTubeUser): Promise<ReportingJob[]> {
    const jobs: ReportingJob[] = [];
    await this.pages<{ jobs?: ReportingJob[]; nextPageToken?: string }>(user, "/v1/jobs", {}, (body) =>
      jobs.push(...(body.jobs ?? [])),
    );
    return jobs;
  }

  /** The reports of a job matching the filter, every page, oldest data first. */
  async listReports(user: YouTubeUser, jobId: string, filter: ReportFilter = {}): Promise<ReportingReport[]> {
    const params: Record<string, string> = {};
    if (filter.createdAfter !== undefined) params.createdAfter = new Date(filter.createdAfter).toISOString();
    if (filter.startTimeAtOrAfter !== undefined)
      params.startTimeAtOrAfter = new Date(filter.startTimeAtOrAfter).toISOString();
    if (filter.startTimeBefore !== undefined)
      params.startTimeBefore = new Date(filter.startTimeBefore).toISOString();
    const reports: ReportingReport[] = [];
    await this.pages<{ reports?: ReportingReport[]; nextPageToken?: string }>(
      user,
      `/v1/jobs/${encodeURIComponent(jobId)}/reports`,
      params,
      (body) => reports.push(...(body.reports ?? [])),
    );
    return reports.sort(
      (a, b) => Date.parse(a.startTime) - Date.parse(b.startTime) || a.id.localeCompare(b.id),
    );
  }

  /** Downloads a reach report and reads its impressions and clicks per video and day. */
  async downloadReach(
    user: YouTubeUser,
    report: Pick<ReportingReport, "downloadUrl">,
  ): Promise<DailyReach[]> {
    return parseReachCsv(await this.download(user, report));
  }

  /**
   * A report's CSV. The bearer token goes only to the Reporting API's own origin: a downloadUrl
   * pointing anywhere else is refused before anything is sent.
   */
  async download(user: YouTubeUser, report: Pick<ReportingReport, "downloadUrl">): Promise<string> {
    let url: URL;
    try {
      url = new URL(report.downloadUrl);
    } catch {
      throw new YouTubeError("invalid_request", "the report's downloadUrl is not a URL");
    }
    if (url.origin !== new URL(this.options.endpoints.reporting).origin) {
      throw new YouTubeError(
        "invalid_request",
        `the report's downloadUrl is not on ${this.options.endpoints.reporting}`,
      );
    }
    return (await this.call(user, url, {})).text;
  }

  private async findJob(user: YouTubeUser, reportTypeId: string): Promise<ReportingJob | undefined> {
    return (await this.listJobs(user)).find((j) => j.reportTypeId === reportTypeId);
  }

  private async pages<T extends { nextPageToken?: string }>(
    user: YouTubeUser,
    path: string,
    params: Record<string, string>,
    each: (body: T) => void,
  ): Promise<void> {
    let pageToken: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const query = new URLSearchParams({ ...params, pageSize: String(PAGE_SIZE) });
      if (pageToken) query.set("pageToken", pageToken);
      const body = await this.json<T>(user, `${path}?${query}`);
      each(body);
      pageToken = body.nextPageToken;
      if (!pageToken) return;
    }
  }

  private async json<T>(user: YouTubeUser, pathAndQuery: string, init: RequestInit = {}): Promise<T> {
    const answer = await this.call(user, new URL(`${this.options.endpoints.reporting}${pathAndQuery}`), init);
    return (jsonBody(answer) ?? {}) as T;
  }

  /** Retries transient failures; on a 401 refreshes the user's token once and tries again. */
  private call(user: YouTubeUser, url: URL, init: RequestInit): Promise<GoogleTextAnswer> {
    return withRetry(this.deps.retry ?? DEFAULT_RETRY, this.deps, async () => {
      try {
        return await this.attempt(user, url, init, false);
      } catch (err) {
        if (!(err instanceof YouTubeError) || err.status !== 401) throw err;
        return await this.attempt(user, url, init, true);
      }
    });
  }

  private async attempt(
    user: YouTubeUser,
    url: URL,
    init: RequestInit,
    forceRefresh: boolean,
  ): Promise<GoogleTextAnswer> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${await this.options.accessToken(user, forceRefresh)}`);
    const answer = await sendText(this.deps, url.toString(), { ...init, headers });
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw classifyApiError(answer.status, jsonBody(answer), {
      retryAt: retryAfter(answer.headers.get("retry-after"), this.deps.now()),
      // The Reporting API has no daily quota of its own to wait for: try again in an hour.
      quotaResetAt: () => this.deps.now() + 3_600_000,
    });
  }
}

/** Splits one CSV line (RFC 4180: quoted fields may hold commas and doubled quotes). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const REACH_COLUMNS = ["date", "video_id", "video_thumbnail_impressions", "video_thumbnail_impressions_ctr"];

/**
 * Reads a reach report (channel_reach_basic_a1 or _combined_a1): a header row naming the columns
 * (in any order, extra columns ignored), then rows with `date` as YYYYMMDD. Rows of one video and
 * day (the combined report splits them by further dimensions) are added up; clicks are
 * round(impressions × ctr) per row, the CTR being a ratio.
 */
export function parseReachCsv(csv: string): DailyReach[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = csvCells(lines[0] ?? "").map((c) => c.trim());
  const index = new Map(header.map((name, i) => [name, i]));
  const missing = REACH_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new YouTubeError("invalid_request", `not a reach report: no column ${missing.join(", ")}`);
  }
  const col = (cells: string[], name: string) => (cells[index.get(name) as number] ?? "").trim();
  const byKey = new Map<string, DailyReach>();
  for (const line of lines.slice(1)) {
    const cells = csvCells(line);
    const date = col(cells, "date");
    const videoId = col(cells, "video_id");
    const impressions = Number(col(cells, "video_thumbnail_impressions"));
    const ctr = Number(col(cells, "video_thumbnail_impressions_ctr"));
    if (!/^\d{8}$/.test(date) || !videoId || !Number.isFinite(impressions) || !Number.isFinite(ctr)) {
      throw new YouTubeError("invalid_request", `unreadable reach report row: ${line.slice(0, 200)}`);
    }
    const day = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
    const key = `${day}|${videoId}`;
    const entry = byKey.get(key) ?? { day, videoId, impressions: 0, clicks: 0 };
    entry.impressions += impressions;
    entry.clicks += Math.round(impressions * ctr);
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => a.day.localeCompare(b.day) || a.videoId.localeCompare(b.videoId));
}
