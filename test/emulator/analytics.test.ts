import { describe, expect, it } from "vitest";
import { UNSUPPORTED_QUERY } from "../../emulator/analytics";
import { nextDay, pacificDay } from "../../emulator/pacific-time";
import { admin, type GoogleErrorBody, signIn, withToken, world } from "./fixtures";

/**
 * The Analytics API answers only the query shapes of Google's channel-report tables: the product's
 * daily and traffic-source reads work, every other combination is Google's 400 "The query is not
 * supported…", unknown names are "Unknown identifier".
 */

interface Table {
  kind: string;
  columnHeaders: { name: string; columnType: string; dataType: string }[];
  rows?: (string | number)[][];
}

async function setup() {
  const w = await world({ videoCount: 1, video: { viewsPerDay: 12_000 } });
  const { access_token } = await signIn(w);
  const first = pacificDay((await admin<{ nowMs: number }>("GET", "/clock")).nowMs);
  await admin("PUT", "/clock", { advanceSeconds: 5 * 86_400 });
  const day1 = nextDay(first);
  const day2 = nextDay(day1);
  const id = (w.videos[0] as { id: string }).id;
  const query = (q: string) =>
    withToken<Table & GoogleErrorBody>(
      `/v2/reports?ids=channel==MINE&startDate=${day1}&endDate=${day2}&${q}`,
      access_token,
    );
  return { id, query, day1, day2 };
}

describe("Analytics query shapes", () => {
  it("answers views by day and traffic source, adding up to the views by day", async () => {
    const { id, query, day1, day2 } = await setup();
    const daily = await query(
      `metrics=views,estimatedMinutesWatched,averageViewDuration&dimensions=day&filters=video==${id}&sort=day`,
    );
    expect(daily.status).toBe(200);
    expect(daily.body.rows?.map((r) => r[0])).toEqual([day1, day2]);

    const sources = await query(
      `metrics=views,estimatedMinutesWatched&dimensions=day,insightTrafficSourceType&filters=video==${id}`,
    );
    expect(sources.status).toBe(200);
    expect(sources.body.columnHeaders).toEqual([
      { name: "day", columnType: "DIMENSION", dataType: "STRING" },
      { name: "insightTrafficSourceType", columnType: "DIMENSION", dataType: "STRING" },
      { name: "views", columnType: "METRIC", dataType: "INTEGER" },
      { name: "estimatedMinutesWatched", columnType: "METRIC", dataType: "INTEGER" },
    ]);
    const rows = sources.body.rows ?? [];
    expect(new Set(rows.map((r) => r[1]))).toContain("YT_SEARCH");
    for (const [day, views] of (daily.body.rows ?? []).map((r) => [r[0], r[1]])) {
      const sum = rows.filter((r) => r[0] === day).reduce((s, r) => s + Number(r[2]), 0);
      expect(sum).toBe(views);
    }
    expect(rows.every((r) => Number(r[2]) > 0)).toBe(true);

    const bySource = await query(
      `metrics=views&dimensions=insightTrafficSourceType&filters=video==${id}&sort=-views`,
    );
    const views = (bySource.body.rows ?? []).map((r) => Number(r[1]));
    expect(views.length).toBeGreaterThan(3);
    expect([...views].sort((a, b) => b - a)).toEqual(views);
  });

  it.each([
    [
      "a metric outside the traffic-source table",
      "metrics=averageViewDuration&dimensions=insightTrafficSourceType",
    ],
    ["a dimension outside the tables it serves", "metrics=views&dimensions=video"],
    ["a known metric it does not serve", "metrics=views,likes&dimensions=day"],
    ["a filter outside the table", "metrics=views&dimensions=day&filters=country==US"],
    ["thumbnail impressions by day", "metrics=views,videoThumbnailImpressions&dimensions=day"],
    ["thumbnail CTR in total", "metrics=videoThumbnailImpressionsClickRate"],
    [
      "thumbnail metrics by day for a video",
      "metrics=videoThumbnailImpressions,videoThumbnailImpressionsClickRate&dimensions=day&filters=video==abc",
    ],
  ])("refuses %s with Google's 400 'query is not supported'", async (_name, q) => {
    const { query } = await setup();
    const res = await query(q);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(UNSUPPORTED_QUERY);
    expect(res.body.error.errors[0]).toMatchObject({ domain: "global", reason: "badRequest" });
  });

  it("answers unknown names with 'Unknown identifier'", async () => {
    const { query } = await setup();
    const dim = await query("metrics=views&dimensions=week");
    expect(dim.status).toBe(400);
    expect(dim.body.error.message).toBe("Unknown identifier (week) given in field parameters.dimensions.");
    const sort = await query("metrics=views&dimensions=day&sort=likes");
    expect(sort.status).toBe(400);
    expect(sort.body.error.message).toBe("Unknown identifier (likes) given in field parameters.sort.");
  });
});
