import { describe, expect, it } from "vitest";
import { addDays, nextDay, pacificDay, pacificDayStart } from "../../emulator/pacific-time";
import { REPORT_DELAY_MS } from "../../emulator/reporting";
import { admin, call, signIn, type World, withToken, world } from "./fixtures";

/**
 * The YouTube Reporting API's contract: report types, jobs (one per channel and type), reports on
 * the simulated clock (first ones 48 hours after the job, with 30 days of backfill, then daily),
 * CSV downloads from the reports' downloadUrl, and Google's `{ error: { code, message, status } }`.
 */

interface ReportingError {
  error: { code: number; message: string; status: string };
}
interface Job {
  id: string;
  reportTypeId: string;
  name: string;
  createTime: string;
}
interface Report {
  id: string;
  jobId: string;
  startTime: string;
  endTime: string;
  createTime: string;
  downloadUrl: string;
}

const HOUR = 3_600_000;

async function nowSim(): Promise<number> {
  return (await admin<{ nowMs: number }>("GET", "/clock")).nowMs;
}

async function advance(ms: number): Promise<void> {
  await admin("PUT", "/clock", { advanceSeconds: Math.ceil(ms / 1000) });
}

/**
 * Advances the simulated clock to noon Pacific, `days` days after today's. A job made then gets
 * its own day's report 12 hours after its first ones, whatever the hour the suite runs at: made in
 * a day's last hour, that report would come within an hour of the first ones and be counted with
 * them.
 */
async function untilPacificNoon(days: number): Promise<void> {
  const now = await nowSim();
  await advance(pacificDayStart(addDays(pacificDay(now), days)) + 12 * HOUR - now);
}

async function createJob(token: string, reportTypeId: string) {
  return withToken<Job & ReportingError>("/v1/jobs", token, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ reportTypeId, name: `${reportTypeId} job` }),
  });
}

async function listReports(token: string, jobId: string, query = "") {
  return withToken<{ reports?: Report[]; nextPageToken?: string } & ReportingError>(
    `/v1/jobs/${jobId}/reports${query}`,
    token,
  );
}

/** Downloads a report through its downloadUrl (the emulator's own origin) and splits the CSV. */
async function download(token: string, report: Report) {
  const url = new URL(report.downloadUrl);
  const res = await withToken<string>(`${url.pathname}${url.search}`, token);
  expect(res.status).toBe(200);
  const [header, ...rows] = res.body.trimEnd().split("\n");
  const columns = (header ?? "").split(",");
  return rows.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""]));
  });
}

async function analyticsViews(w: World, token: string, videoId: string, day: string): Promise<number> {
  const res = await withToken<{ rows?: (string | number)[][] }>(
    `/v2/reports?ids=channel==MINE&startDate=${day}&endDate=${day}&metrics=views,estimatedMinutesWatched,averageViewDuration&dimensions=day&filters=video==${videoId}`,
    token,
  );
  expect(res.status, `${w.channel.id} ${JSON.stringify(res.body)}`).toBe(200);
  return Number(res.body.rows?.[0]?.[1] ?? 0);
}

describe("Reporting API: report types and jobs", () => {
  it("lists the channel report types it generates", async () => {
    const w = await world({ videoCount: 0 });
    const { access_token } = await signIn(w);
    const res = await withToken<{ reportTypes: { id: string; name: string }[] }>(
      "/v1/reportTypes",
      access_token,
    );
    expect(res.status).toBe(200);
    expect(res.body.reportTypes).toEqual(
      expect.arrayContaining([
        { id: "channel_basic_a3", name: "User activity" },
        { id: "channel_reach_basic_a1", name: "Reach basic" },
      ]),
    );
  });

  it("creates one job per report type: a second is 409 ALREADY_EXISTS; get, list and delete", async () => {
    const w = await world({ videoCount: 0 });
    const { access_token } = await signIn(w);
    const empty = await withToken<Record<string, unknown>>("/v1/jobs", access_token);
    expect(empty).toMatchObject({ status: 200, body: {} });

    const created = await createJob(access_token, "channel_reach_basic_a1");
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[\w-]{1,40}$/),
      reportTypeId: "channel_reach_basic_a1",
      name: "channel_reach_basic_a1 job",
      createTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    const again = await createJob(access_token, "channel_reach_basic_a1");
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      error: { code: 409, message: "Requested entity already exists", status: "ALREADY_EXISTS" },
    });

    const listed = await withToken<{ jobs: Job[] }>("/v1/jobs", access_token);
    expect(listed.body.jobs).toEqual([created.body]);
    const got = await withToken<Job>(`/v1/jobs/${created.body.id}`, access_token);
    expect(got.body).toEqual(created.body);

    // Another creator cannot see it.
    const other = await world({ videoCount: 0 });
    const otherToken = (await signIn(other)).access_token;
    const hidden = await withToken<ReportingError>(`/v1/jobs/${created.body.id}`, otherToken);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toEqual({
      code: 404,
      message: "Requested entity was not found.",
      status: "NOT_FOUND",
    });

    const deleted = await withToken(`/v1/jobs/${created.body.id}`, access_token, { method: "DELETE" });
    expect(deleted).toMatchObject({ status: 200, body: {} });
    expect((await withToken(`/v1/jobs/${created.body.id}`, access_token)).status).toBe(404);
    expect((await createJob(access_token, "channel_reach_basic_a1")).status).toBe(200);
  });

  it("answers 404 NOT_FOUND for an unknown job and its reports", async () => {
    const w = await world({ videoCount: 0 });
    const { access_token } = await signIn(w);
    for (const path of [
      "/v1/jobs/no-such-job",
      "/v1/jobs/no-such-job/reports",
      "/v1/jobs/no-such-job/reports/1",
    ]) {
      const res = await withToken<ReportingError>(path, access_token);
      expect(res.status, path).toBe(404);
      expect(res.body.error.status).toBe("NOT_FOUND");
    }
  });

  it("refuses bad input with 400 INVALID_ARGUMENT", async () => {
    const w = await world({ videoCount: 0 });
    const { access_token } = await signIn(w);
    const unknownType = await createJob(access_token, "channel_nothing_a9");
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    const noName = await withToken<ReportingError>("/v1/jobs", access_token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reportTypeId: "channel_basic_a3" }),
    });
    expect(noName.status).toBe(400);
    const notJson = await withToken<ReportingError>("/v1/jobs", access_token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    const job = (await createJob(access_token, "channel_basic_a3")).body;
    const badTime = await listReports(access_token, job.id, "?createdAfter=yesterday");
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.status).toBe("INVALID_ARGUMENT");
    const badToken = await listReports(access_token, job.id, "?pageToken=%%%");
    expect(badToken.status).toBe(400);
  });

  it("answers 401 UNAUTHENTICATED for a bad or missing token, 403 without the Analytics scope", async () => {
    const bad = await withToken<ReportingError>("/v1/jobs", "ya29.not-a-token");
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    expect(bad.headers.get("www-authenticate")).toContain("invalid_token");
    expect((await call<ReportingError>("/v1/reportTypes")).status).toBe(401);

    const w = await world({ videoCount: 0 });
    const { access_token } = await signIn(w, {
      scope: "openid email https://www.googleapis.com/auth/youtube",
    });
    const scoped = await withToken<ReportingError>("/v1/jobs", access_token);
    expect(scoped.status).toBe(403);
    expect(scoped.body.error.status).toBe("PERMISSION_DENIED");
  });
});

describe("Reporting API: reports on the simulated clock", () => {
  it("publishes 30 days of backfill 48 hours after the job, then one report a day, each a CSV", async () => {
    const w = await world({ videoCount: 2, video: { viewsPerDay: 6_000 } });
    const { access_token } = await signIn(w);
    const videoIds = w.videos.map((v) => v.id);
    // Some three simulated days of traffic before the job exists: the backfill covers them.
    await untilPacificNoon(3);
    const job = (await createJob(access_token, "channel_reach_basic_a1")).body;
    const jobCreated = Date.parse(job.createTime);
    const firstDay = pacificDay(jobCreated);

    await advance(REPORT_DELAY_MS - HOUR);
    const early = await listReports(access_token, job.id);
    expect(early).toMatchObject({ status: 200, body: {} });

    await advance(2 * HOUR);
    const first = (await listReports(access_token, job.id)).body.reports ?? [];
    expect(first).toHaveLength(30);
    const days = first.map((r) => pacificDay(Date.parse(r.startTime))).sort();
    let expected = firstDay;
    const backfill: string[] = [];
    for (let i = 0; i < 30; i++) {
      expected = new Date(Date.parse(`${expected}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      backfill.unshift(expected);
    }
    expect(days).toEqual(backfill);
    for (const r of first) {
      const day = pacificDay(Date.parse(r.startTime));
      expect(r).toEqual({
        id: day.replaceAll("-", ""),
        jobId: job.id,
        startTime: new Date(pacificDayStart(day)).toISOString().replace(".000Z", "Z"),
        endTime: new Date(pacificDayStart(nextDay(day))).toISOString().replace(".000Z", "Z"),
        createTime: new Date(jobCreated + REPORT_DELAY_MS).toISOString(),
        downloadUrl: expect.stringMatching(
          new RegExp(`/v1/media/CHANNEL/${w.channel.id}/jobs/${job.id}/reports/${r.id}\\?alt=media$`),
        ),
      });
    }

    // The day before the job: a full day of simulated traffic, one row per video.
    const dayBefore = backfill[29] as string;
    const report = first.find((r) => r.id === dayBefore.replaceAll("-", "")) as Report;
    const rows = await download(access_token, report);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "date",
      "channel_id",
      "video_id",
      "video_thumbnail_impressions",
      "video_thumbnail_impressions_ctr",
    ]);
    expect(rows.map((r) => r.video_id).sort()).toEqual([...videoIds].sort());
    for (const row of rows) {
      expect(row.date).toBe(dayBefore.replaceAll("-", ""));
      expect(row.channel_id).toBe(w.channel.id);
      const impressions = Number(row.video_thumbnail_impressions);
      const ctr = Number(row.video_thumbnail_impressions_ctr);
      expect(impressions).toBeGreaterThan(0);
      expect(ctr).toBeGreaterThan(0.02);
      expect(ctr).toBeLessThan(0.09);
      // Clicks are the views Analytics reports for that video and day.
      expect(Math.round(impressions * ctr)).toBe(
        await analyticsViews(w, access_token, row.video_id ?? "", dayBefore),
      );
    }
    // A day before the videos existed has no rows: only the header.
    const oldest = first.find((r) => r.id === (backfill[0] as string).replaceAll("-", "")) as Report;
    expect(await download(access_token, oldest)).toEqual([]);
    // The same report downloads the same bytes.
    expect(await download(access_token, report)).toEqual(rows);

    // The job's own day appears 48 hours after it ends; then one report a day.
    const firstDayReportAt = pacificDayStart(nextDay(firstDay)) + REPORT_DELAY_MS;
    await advance(firstDayReportAt - (await nowSim()) + HOUR);
    const later = (await listReports(access_token, job.id)).body.reports ?? [];
    expect(later).toHaveLength(31);
    const daily = later.find((r) => r.id === firstDay.replaceAll("-", "")) as Report;
    expect(Date.parse(daily.createTime)).toBe(firstDayReportAt);
    const fresh = await listReports(
      access_token,
      job.id,
      `?createdAfter=${encodeURIComponent(new Date(jobCreated + REPORT_DELAY_MS).toISOString())}`,
    );
    expect(fresh.body.reports?.map((r) => r.id)).toEqual([daily.id]);
    const got = await withToken<Report>(`/v1/jobs/${job.id}/reports/${daily.id}`, access_token);
    expect(got.body).toEqual(daily);
  });

  it("filters by start time and pages the list", async () => {
    const w = await world({ videoCount: 1 });
    const { access_token } = await signIn(w);
    await untilPacificNoon(1);
    const job = (await createJob(access_token, "channel_basic_a3")).body;
    await advance(REPORT_DELAY_MS + HOUR);
    const all = (await listReports(access_token, job.id)).body.reports ?? [];
    expect(all).toHaveLength(30);
    const pages: Report[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const res = await listReports(access_token, job.id, `?pageSize=7${token ? `&pageToken=${token}` : ""}`);
      pages.push(...(res.body.reports ?? []));
      token = res.body.nextPageToken;
      calls++;
    } while (token);
    expect(calls).toBe(5);
    expect(pages).toEqual(all);

    const starts = all.map((r) => r.startTime).sort();
    const from = starts[10] as string;
    const to = starts[20] as string;
    const window = await listReports(
      access_token,
      job.id,
      `?startTimeAtOrAfter=${encodeURIComponent(from)}&startTimeBefore=${encodeURIComponent(to)}`,
    );
    expect(window.body.reports?.map((r) => r.startTime).sort()).toEqual(starts.slice(10, 20));
  });

  it("serves channel_basic_a3 with its documented columns, views summing to Analytics' views", async () => {
    const w = await world({ videoCount: 1, video: { viewsPerDay: 9_000 } });
    const { access_token } = await signIn(w);
    const videoId = (w.videos[0] as { id: string }).id;
    await advance(2 * 24 * HOUR);
    const job = (await createJob(access_token, "channel_basic_a3")).body;
    const day = new Date(Date.parse(`${pacificDay(Date.parse(job.createTime))}T12:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);
    await advance(REPORT_DELAY_MS + HOUR);
    const report = (await listReports(access_token, job.id)).body.reports?.find(
      (r) => r.id === day.replaceAll("-", ""),
    ) as Report;
    const rows = await download(access_token, report);
    expect(Object.keys(rows[0] ?? {}).slice(0, 8)).toEqual([
      "date",
      "channel_id",
      "video_id",
      "live_or_on_demand",
      "subscribed_status",
      "country_code",
      "engaged_views",
      "views",
    ]);
    expect(Object.keys(rows[0] ?? {})).toContain("watch_time_minutes");
    expect(Object.keys(rows[0] ?? {})).toContain("average_view_duration_seconds");
    expect(new Set(rows.map((r) => r.subscribed_status))).toEqual(new Set(["subscribed", "unsubscribed"]));
    for (const row of rows)
      expect(
        Object.values(row)
          .slice(6)
          .some((v) => Number(v) !== 0),
      ).toBe(true);
    const views = rows.reduce((sum, r) => sum + Number(r.views), 0);
    expect(views).toBeGreaterThan(0);
    expect(views).toBe(await analyticsViews(w, access_token, videoId, day));

    // Another channel's owner may not download it.
    const other = await world({ videoCount: 0 });
    const otherToken = (await signIn(other)).access_token;
    const url = new URL(report.downloadUrl);
    const denied = await withToken<ReportingError>(`${url.pathname}${url.search}`, otherToken);
    expect(denied.status).toBe(403);
    expect(denied.body.error.status).toBe("PERMISSION_DENIED");
  });
});
