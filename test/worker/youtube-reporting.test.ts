import { describe, expect, it } from "vitest";
import { YouTubeError } from "../../worker/youtube/errors";
import {
  parseReachCsv,
  REACH_REPORT_TYPE,
  type ReportingClientOptions,
  YouTubeReportingClient,
} from "../../worker/youtube/reporting";
import {
  type Creator,
  callLog,
  clientFor,
  createCreator,
  emulatorAdmin,
  endpoints,
  userOf,
} from "./youtube-fixtures";

/**
 * The Reporting API client against the emulator that test/setup/emulator.ts started. Reports
 * appear on the emulator's simulated clock, which these tests move forward (as the Analytics test
 * of youtube-client.test.ts does): never back, so other files only ever see later days.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

async function reportingClientFor(creator: Creator, overrides: Partial<ReportingClientOptions> = {}) {
  const user = await userOf(creator);
  const { client, gate } = clientFor(creator);
  const fetched: string[] = [];
  const reporting = new YouTubeReportingClient({
    endpoints,
    accessToken: (u, force) => client.accessToken(u, force),
    fetch: (input, init) => {
      fetched.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    },
    sleep: async () => {},
    random: () => 0.5,
    timeoutMs: 10_000,
    ...overrides,
  });
  return { user, reporting, client, gate, fetched };
}

async function advance(ms: number): Promise<void> {
  await emulatorAdmin("PUT", "/clock", { advanceSeconds: Math.ceil(ms / 1000) });
}

const pacificDate = (ms: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles" }).format(new Date(ms));

describe("Reporting client: jobs", () => {
  it("ensures one job per report type: creates it once, then finds it, also when two race", async () => {
    const creator = await createCreator({ videos: 1 });
    const { user, reporting, gate } = await reportingClientFor(creator);
    const [a, b] = await Promise.all([reporting.ensureJob(user), reporting.ensureJob(user)]);
    expect(a.id).toBe(b.id);
    expect(a.reportTypeId).toBe(REACH_REPORT_TYPE);
    const again = await reporting.ensureJob(user);
    expect(again.id).toBe(a.id);
    const basic = await reporting.ensureJob(user, "channel_basic_a3");
    expect(basic.id).not.toBe(a.id);
    expect((await reporting.listJobs(user)).map((j) => j.reportTypeId).sort()).toEqual([
      "channel_basic_a3",
      REACH_REPORT_TYPE,
    ]);
    const calls = await callLog(creator.project.id);
    const creates = calls.filter((c) => c.method === "reporting.jobs.create");
    // Both racers may try to create; exactly one succeeds per report type, the other reads 409.
    expect(creates.filter((c) => c.status === 200)).toHaveLength(2);
    expect(creates.every((c) => c.status === 200 || c.status === 409)).toBe(true);
    // The Reporting API costs no Data API units: nothing reserved, nothing charged.
    expect(gate.reserved).toHaveLength(0);
    expect(calls.filter((c) => c.method.startsWith("reporting.")).every((c) => c.units === 0)).toBe(true);
  });

  it("maps an unknown job to not_found and a revoked grant to auth_revoked", async () => {
    const creator = await createCreator({ videos: 0 });
    const { user, reporting } = await reportingClientFor(creator);
    await expect(reporting.listReports(user, "no-such-job")).rejects.toMatchObject({
      kind: "not_found",
      status: 404,
      reason: "NOT_FOUND",
    });
    await emulatorAdmin("POST", `/accounts/${encodeURIComponent(creator.email)}/revoke`);
    const err = await reporting.listJobs(user).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YouTubeError);
    expect((err as YouTubeError).kind).toBe("auth_revoked");
  });

  it("retries a transient failure and surfaces a lasting one as transient", async () => {
    const creator = await createCreator({ videos: 0 });
    const { user, reporting } = await reportingClientFor(creator);
    await emulatorAdmin("PUT", "/faults", {
      method: "reporting.jobs.list",
      project: creator.project.id,
      failNext: 1,
      status: 503,
    });
    expect(await reporting.listJobs(user)).toEqual([]);
    await emulatorAdmin("PUT", "/faults", {
      method: "reporting.jobs.list",
      project: creator.project.id,
      failNext: 5,
      status: 503,
    });
    await expect(reporting.listJobs(user)).rejects.toMatchObject({ kind: "transient", status: 503 });
    await emulatorAdmin("DELETE", `/faults?project=${encodeURIComponent(creator.project.id)}`);
    const log = (await callLog(creator.project.id)).filter((c) => c.method === "reporting.jobs.list");
    expect(log.map((c) => c.status)).toEqual([503, 200, 503, 503, 503]);
  });
});

describe("Reporting client: reports", () => {
  it("lists the backfill 48 hours after the job and reads impressions and clicks per video and day", async () => {
    const creator = await createCreator({ videos: 2 });
    const { user, reporting, client } = await reportingClientFor(creator);
    // A day and a half of traffic before the job: its backfill covers the last whole day.
    await advance(DAY + 12 * HOUR);
    const job = await reporting.ensureJob(user);
    expect(await reporting.listReports(user, job.id)).toEqual([]);
    await advance(2 * DAY + HOUR);
    const reports = await reporting.listReports(user, job.id);
    expect(reports).toHaveLength(30);
    // Oldest data first.
    const starts = reports.map((r) => Date.parse(r.startTime));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);

    const jobDay = pacificDate(Date.parse(job.createTime));
    const dayBefore = pacificDate(Date.parse(`${jobDay}T12:00:00Z`) - DAY);
    const report = reports.find((r) => pacificDate(Date.parse(r.startTime) + HOUR) === dayBefore);
    if (!report) throw new Error(`no report for ${dayBefore}`);
    const reach = await reporting.downloadReach(user, report);
    expect(reach.map((r) => r.videoId).sort()).toEqual(creator.videos.map((v) => v.id).sort());
    const token = await client.accessToken(user);
    for (const row of reach) {
      expect(row.day).toBe(dayBefore);
      expect(row.impressions).toBeGreaterThan(row.clicks);
      expect(row.clicks).toBeGreaterThan(0);
      // The clicks are the views Analytics counts for that video and day.
      const url = new URL(`${endpoints.analytics}/v2/reports`);
      url.search = new URLSearchParams({
        ids: "channel==MINE",
        startDate: dayBefore,
        endDate: dayBefore,
        metrics: "views,estimatedMinutesWatched,averageViewDuration",
        dimensions: "day",
        filters: `video==${row.videoId}`,
      }).toString();
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const table = (await res.json()) as { rows?: (string | number)[][] };
      expect(Number(table.rows?.[0]?.[1])).toBe(row.clicks);
    }

    // Only what is new since the last look: nothing until the next day's report exists.
    const lastSeen = Math.max(...reports.map((r) => Date.parse(r.createTime)));
    expect(await reporting.listReports(user, job.id, { createdAfter: lastSeen })).toEqual([]);
    await advance(DAY);
    const fresh = await reporting.listReports(user, job.id, { createdAfter: lastSeen });
    expect(fresh).toHaveLength(1);
    expect(pacificDate(Date.parse(fresh[0]?.startTime ?? "") + HOUR)).toBe(jobDay);

    const window = await reporting.listReports(user, job.id, {
      startTimeAtOrAfter: Date.parse(reports[25]?.startTime ?? ""),
      startTimeBefore: Date.parse(reports[28]?.startTime ?? ""),
    });
    expect(window.map((r) => r.id)).toEqual(reports.slice(25, 28).map((r) => r.id));
  });

  it("never sends the token to a downloadUrl off the Reporting API's origin", async () => {
    const creator = await createCreator({ videos: 0 });
    const { user, reporting, fetched } = await reportingClientFor(creator);
    await expect(
      reporting.download(user, { downloadUrl: "https://attacker.example/v1/media/x?alt=media" }),
    ).rejects.toMatchObject({ kind: "invalid_request" });
    expect(fetched).toEqual([]);
  });
});

describe("parseReachCsv", () => {
  it("reads columns in any order, ignores extra ones and adds up rows of one video and day", () => {
    const csv = [
      "video_thumbnail_impressions_ctr,country_code,video_id,date,channel_id,video_thumbnail_impressions",
      "0.05,US,vidA,20260301,UC1,1000",
      "0.1,GB,vidA,20260301,UC1,201",
      "0.04,US,vidB,20260301,UC1,50",
      '0.0333,"CA, north",vidA,20260302,UC1,3',
      "",
    ].join("\r\n");
    expect(parseReachCsv(csv)).toEqual([
      { day: "2026-03-01", videoId: "vidA", impressions: 1201, clicks: 50 + 20 },
      { day: "2026-03-01", videoId: "vidB", impressions: 50, clicks: 2 },
      { day: "2026-03-02", videoId: "vidA", impressions: 3, clicks: 0 },
    ]);
  });

  it("reads a header-only report as no rows, and refuses a report without the reach columns", () => {
    expect(
      parseReachCsv("date,channel_id,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n"),
    ).toEqual([]);
    expect(() => parseReachCsv("date,channel_id,video_id,views\n20260301,UC1,v,3\n")).toThrow(
      /no column video_thumbnail_impressions/,
    );
    expect(() =>
      parseReachCsv(
        "date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n2026-03-01,v,10,0.1\n",
      ),
    ).toThrow(YouTubeError);
  });
});
