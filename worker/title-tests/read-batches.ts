import { and, asc, count, desc, eq, inArray, type Placeholder, sql } from "drizzle-orm";
import { events, liveTestStatuses, type TestStatus, tests, titles, userStats } from "../../schema";
import type { UserReads } from "../db/http";
import { reusableStatement } from "../db/reusable";
import { NotFound } from "../domain/errors";
import type { GoogleEndpointVars } from "../youtube/endpoints";
import type { DailyRecord, SlotRecord } from "./analysis";
import type { TitleVariant } from "./queries";
import { FINISHED } from "./reading";
import { resultsOf } from "./results";
import { dailyTrafficSources } from "./traffic-sources";
import { testView } from "./views";

/**
 * The hottest reads of the API (the dashboard, which polls its figures and the test list, and a
 * test's page, which polls its detail and its results), each as one `batch([...])` over HTTP: one
 * request to the database and one read-only transaction (so the statements see one snapshot),
 * instead of a connection start-up and three or four round trips one after the other. Each runs
 * through the user's `UserReads`, whose batch also confirms the session when the route left that
 * to its read, in the same round trip. Their statements are built once per isolate
 * (`reusableStatement`) and given each request's ids.
 */

const LIVE: readonly TestStatus[] = liveTestStatuses;

/** The user's rollup row: views during tests and outcomes, counted hourly. */
const statsOf = reusableStatement(["userId"], (db, p) =>
  db.select().from(userStats).where(eq(userStats.userId, p.userId)),
);

/** The user's tests counted by status. */
const statusCounts = reusableStatement(["userId"], (db, p) =>
  db
    .select({ status: tests.status, n: count() })
    .from(tests)
    .where(eq(tests.userId, p.userId))
    .groupBy(tests.status),
);

/** The dashboard's figures of one user. */
export interface Dashboard {
  /** Tests live now (scheduled, running or paused in any way). */
  activeTests: number;
  /** Views gained in closed slots of all the user's tests. */
  viewsDuringTests: number;
  /**
   * When `viewsDuringTests` and the outcomes were last counted (the hourly rollup), or null before
   * the first count; the dashboard says how fresh its figures are with it.
   */
  statsAsOf: string | null;
  /** Mean lift of the winners of won tests, or null before the first win. */
  averageWinLift: number | null;
  won: number;
  same: number;
  inconclusive: number;
  byStatus: Partial<Record<TestStatus, number>>;
}

/**
 * The dashboard: the user's `user_stats` row (the rollup) and their tests counted by status, in
 * one batch. Outcomes and views come precomputed (hourly, and when a test finishes); only the
 * cheap count by status is live, so a test just started shows at once.
 */
export async function dashboardOf({ db, userId, batch }: UserReads): Promise<Dashboard> {
  const [statsRows, statuses] = await batch([statsOf(db, { userId }), statusCounts(db, { userId })]);
  const stats = statsRows[0];
  const byStatus = Object.fromEntries(statuses.map((s) => [s.status, s.n]));
  return {
    activeTests: statuses.filter((s) => LIVE.includes(s.status)).reduce((n, s) => n + s.n, 0),
    viewsDuringTests: stats?.viewsDuringTests ?? 0,
    statsAsOf: stats ? stats.updatedAt.toISOString() : null,
    averageWinLift: stats?.averageWinningLift ?? null,
    won: stats?.testsWon ?? 0,
    same: stats?.testsSame ?? 0,
    inconclusive: stats?.testsInconclusive ?? 0,
    byStatus,
  };
}

/** The test `testId`, only if it is `userId`'s (placeholders of a reusable statement). */
const isOwnTest = (p: Record<"userId" | "testId", Placeholder>) =>
  and(eq(tests.id, p.testId), eq(tests.userId, p.userId));

/** The test's row, only if it is the creator's (a batch's first statement). */
const ownRow = reusableStatement(["userId", "testId"], (db, p) =>
  db.select().from(tests).where(isOwnTest(p)),
);

/** The test's titles by variant (read beside the test's row, discarded unread when that is empty). */
const titlesOf = reusableStatement(["testId"], (db, p) =>
  db
    .select({ variant: titles.variant, text: titles.text })
    .from(titles)
    .where(eq(titles.testId, p.testId))
    .orderBy(asc(titles.variant)),
);

/** A title as `resultsRead` lists it: `[variant, text]`. */
type TitleTuple = [number, string];
/**
 * A slot as `resultsRead` lists it: `[slot_index, variant, block, started_at, ended_at, views_start,
 * views_end]`, its times in epoch milliseconds.
 */
type SlotTuple = [number, number, number, number, number | null, number, number | null];
/** A daily Analytics row as `resultsRead` lists it: `[day, impressions, ctr, watch_minutes]`. */
type DayTuple = [string, number | null, number | string | null, number | string | null];

/**
 * Everything the results need in one statement: the few columns of the test's row, only if it is
 * the creator's, with its titles (by variant), its slots (in order) and its daily Analytics rows
 * as JSON arrays that Postgres builds. One row instead of some sixty over four statements: the
 * database proxy and the Worker handle one row, and the Worker maps no row per slot.
 */
const resultsRead = reusableStatement(["userId", "testId"], (db, p) =>
  db
    .select({
      id: tests.id,
      metric: tests.metric,
      status: tests.status,
      endsAt: tests.endsAt,
      videoId: tests.videoId,
      intervalMinutes: tests.intervalMinutes,
      // Written out: in a select's own fields drizzle leaves columns unqualified, and an inner
      // "id" would be the subquery table's own.
      titles: sql<TitleTuple[] | null>`(
        select json_agg(json_build_array(t.variant, t.text) order by t.variant)
        from titles t where t.test_id = tests.id)`,
      // Times as epoch milliseconds, cut as a JavaScript Date cuts micro-seconds: a third of the
      // bytes of a timestamp's text, and no text to parse per slot.
      slots: sql<SlotTuple[] | null>`(
        select json_agg(json_build_array(s.slot_index, s.variant, s.block,
          floor(extract(epoch from s.started_at) * 1000), floor(extract(epoch from s.ended_at) * 1000),
          s.views_start, s.views_end) order by s.slot_index)
        from slots s where s.test_id = tests.id)`,
      days: sql<DayTuple[] | null>`(
        select json_agg(json_build_array(d.day, d.impressions, d.ctr, d.watch_minutes))
        from analytics_polls d where d.test_id = tests.id and d.kind = 'daily' and d.day is not null)`,
    })
    .from(tests)
    .where(isOwnTest(p)),
);

/** A JSON number, or the string Postgres writes for a float JSON cannot hold ("NaN", "Infinity"). */
function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** A slot of `resultsRead` as the analysis and the charts read it. */
function slotOf([
  slotIndex,
  variant,
  block,
  startedAt,
  endedAt,
  viewsStart,
  viewsEnd,
]: SlotTuple): SlotRecord {
  return {
    slotIndex,
    variant,
    block,
    startedAt: new Date(startedAt),
    endedAt: endedAt === null ? null : new Date(endedAt),
    viewsStart,
    viewsEnd,
  };
}

/** A daily row of `resultsRead` as the analysis reads it. */
function dayOf([day, impressions, ctr, watchMinutes]: DayTuple): DailyRecord {
  // A figure not in yet stays null: the analysis counts that day as missing, as the rotator does,
  // never as a day of no impressions or no minutes watched.
  return { day, impressions, ctr: numberOrNull(ctr), watchMinutes: numberOrNull(watchMinutes) };
}

/** How many of a test's latest events its detail carries. */
const DETAIL_EVENTS = 50;

/** The test's latest events, newest first. */
const latestEvents = reusableStatement(["testId"], (db, p) =>
  db
    .select({ id: events.id, type: events.type, data: events.data, createdAt: events.createdAt })
    .from(events)
    .where(eq(events.testId, p.testId))
    .orderBy(desc(events.createdAt), desc(events.id))
    .limit(DETAIL_EVENTS),
);

/**
 * A creator's test with its results, in one batch of one statement (`resultsRead`): the test's
 * row with its titles, slots and daily Analytics rows, only if it is the creator's; otherwise
 * NotFound, as for a test that does not exist, so ids reveal nothing. The daily rows are read
 * whatever the metric (a views test has none, or a few cheap ones) to keep one round trip.
 */
export async function ownTestResults({ db, userId, batch }: UserReads, testId: string, now = Date.now()) {
  const [rows] = await batch([resultsRead(db, { userId, testId })]);
  const found = rows[0];
  if (!found) throw new NotFound("No such test.");
  const { titles: titleTuples, slots: slotTuples, days: dayTuples, ...row } = found;
  const variants: TitleVariant[] = (titleTuples ?? []).map(([variant, text]) => ({ variant, text }));
  const records = (slotTuples ?? []).map(slotOf);
  const days =
    row.metric === "views"
      ? undefined
      : new Map((dayTuples ?? []).map((tuple) => [tuple[0], dayOf(tuple)] as const));
  const final = FINISHED.includes(row.status) || (row.endsAt !== null && row.endsAt.getTime() <= now);
  // Only a daily-slot test has traffic sources: its one further read (null, unread, for the rest).
  const trafficSources = await dailyTrafficSources(db, row, variants.length, records, now);
  return {
    row,
    results: resultsOf(variants, records, { final, now, metric: row.metric, days, trafficSources }),
  };
}

/**
 * A creator's test as the API shows it, with its latest events (newest first), in one batch: the
 * row (only if it is theirs), its titles and its events; NotFound, the rest discarded unread,
 * when the row is not the creator's, as for `ownTestResults`.
 */
export async function ownTestDetail(
  { db, userId, batch }: UserReads,
  vars: GoogleEndpointVars,
  testId: string,
) {
  const [rows, variants, latest] = await batch([
    ownRow(db, { userId, testId }),
    titlesOf(db, { testId }),
    latestEvents(db, { testId }),
  ]);
  const row = rows[0];
  if (!row) throw new NotFound("No such test.");
  return { ...testView(row, variants, vars), events: latest };
}

/**
 * A creator's tests as the API lists them, newest first, with their variants, in one batch: the
 * page of rows, and the titles of that same page (the page again as a subquery, read in the same
 * snapshot).
 */
export async function ownTests(
  { db, userId, batch }: UserReads,
  vars: GoogleEndpointVars,
  options: { statuses?: readonly TestStatus[]; limit: number },
) {
  const mine = and(
    eq(tests.userId, userId),
    options.statuses ? inArray(tests.status, options.statuses) : undefined,
  );
  const newestFirst = [desc(tests.createdAt), desc(tests.id)];
  const [rows, variants] = await batch([
    db
      .select()
      .from(tests)
      .where(mine)
      .orderBy(...newestFirst)
      .limit(options.limit),
    db
      .select({ testId: titles.testId, variant: titles.variant, text: titles.text })
      .from(titles)
      .where(
        inArray(
          titles.testId,
          db
            .select({ id: tests.id })
            .from(tests)
            .where(mine)
            .orderBy(...newestFirst)
            .limit(options.limit),
        ),
      )
      .orderBy(asc(titles.variant)),
  ]);
  const byTest = new Map<string, TitleVariant[]>();
  for (const { testId, variant, text } of variants) {
    byTest.set(testId, [...(byTest.get(testId) ?? []), { variant, text }]);
  }
  return { items: rows.map((row) => testView(row, byTest.get(row.id) ?? [], vars)) };
}
