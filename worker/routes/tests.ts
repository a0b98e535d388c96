import type { Context } from "hono";
import { Hono } from "hono";
import {
  controlFrom,
  type RotatorAnswer,
  type RotatorControl,
  type RotatorView,
} from "../../durable-objects/test-rotator/contract";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import { finishedTestStatuses, liveTestStatuses, type TestStatus } from "../../schema";
import { plans } from "../auth/plans";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { userOf } from "../middleware/session";
import {
  applyWinnerBody,
  createTestBody,
  listTestsQuery,
  patchTestBody,
  START_SKEW_MS,
  testIdParam,
} from "../title-tests/input";
import { allowedIntervals } from "../title-tests/intervals";
import {
  appendEvent,
  dailyRowsOf,
  deleteTest,
  discardTest,
  editTest,
  eventsOf,
  findTest,
  insertTest,
  listTests,
  revertToDraft,
  scheduleDraft,
  slotsOf,
  type TestRow,
  type TitleVariant,
  titlesOf,
} from "../title-tests/queries";
import { resultsCsv, resultsOf } from "../title-tests/results";
import { DEFAULT_TEST_MS, hasDuplicateTitle, MAX_TEST_MS, minimumRunMs } from "../title-tests/title-rules";
import { accountOf } from "../users/queries";
import { actForUser } from "../users/youtube-user";
import { validate } from "../validation";

const LIVE: readonly TestStatus[] = liveTestStatuses;
/** Statuses in which a test is over and its video free again. */
const FINISHED: readonly TestStatus[] = finishedTestStatuses;

/** The test's TestRotator, seen through its control contract. */
function rotator(env: Env, testId: string): RotatorControl {
  return testRotator(env, testId);
}

/** A test as the API shows it: its state, the live title and the variants. */
function testView(row: TestRow, variants: readonly TitleVariant[]) {
  return {
    id: row.id,
    videoId: row.videoId,
    videoTitleOriginal: row.videoTitleOriginal,
    thumbnailUrl: `https://i.ytimg.com/vi/${encodeURIComponent(row.videoId)}/mqdefault.jpg`,
    status: row.status,
    metric: row.metric,
    intervalMinutes: row.intervalMinutes,
    autoApply: row.autoApply,
    currentVariant: row.currentVariant,
    currentTitle: variants.find((t) => t.variant === row.currentVariant)?.text ?? null,
    nextRotationAt: row.nextRotationAt,
    leaderVariant: row.leaderVariant,
    leaderPBest: row.leaderPBest,
    decision: row.decision,
    winnerVariant: row.winnerVariant,
    winnerLift: row.winnerLift,
    pValue: row.pValue,
    finalVariant: row.finalVariant,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    titles: variants.map(({ variant, text }) => ({ variant, text })),
  };
}

/** A 400 about one field, shaped like the validator's. */
function invalid(path: string, message: string): AppError {
  return new AppError("validation_failed", message, { issues: [{ path, message }] });
}

/** The signed-in user's test, or a 404 — for another user's test too, so ids reveal nothing. */
async function ownTest(c: Context<AppEnv>, testId: string): Promise<TestRow> {
  const row = await findTest(c.var.db(), userOf(c).id, testId);
  if (!row) throw new AppError("not_found", "No such test.");
  return row;
}

/** The refreshed test with its variants. */
async function freshView(c: Context<AppEnv>, testId: string) {
  const row = await ownTest(c, testId);
  return testView(row, await titlesOf(c.var.db(), testId));
}

/**
 * Asks the rotator to act. A refusal becomes the 409/404 it names; an object that did not answer
 * (or threw) a 503, with the reason logged (the user sees a retryable error, never a 500).
 */
async function askRotator(
  c: Context<AppEnv>,
  testId: string,
  work: (control: RotatorControl) => Promise<RotatorAnswer>,
): Promise<RotatorView> {
  let answer: RotatorAnswer;
  try {
    answer = await work(rotator(c.env, testId));
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.var.requestId,
        message: "rotator call failed",
        testId,
        cause: err instanceof Error ? err.message : String(err),
      }),
    );
    throw new AppError("upstream_unavailable", "The test's scheduler did not answer. Try again in a moment.");
  }
  if (!answer.ok) throw new AppError(answer.code, answer.message);
  return answer.view;
}

/**
 * Clears whatever a failed start may have left in the object (a state, an alarm), so the test can
 * be started again; a failure here leaves nothing worse than the failed start did.
 */
async function forgetQuietly(env: Env, testId: string): Promise<void> {
  try {
    await rotator(env, testId).forget();
  } catch {
    // The start already failed and is being answered as such.
  }
}

/** Checks an end time against the test's start: not before two blocks, not past 30 days. */
function checkEnd(start: number, end: number, variants: number, intervalMinutes: number, path = "endAt") {
  const min = minimumRunMs(variants, intervalMinutes);
  if (end < start + min) {
    throw invalid(
      path,
      `The test must run at least ${Math.ceil(min / 3_600_000)} h (two rounds of every title) from its start`,
    );
  }
  if (end > start + MAX_TEST_MS) throw invalid(path, "A test runs at most 30 days from its start");
}

/** Checks an interval against the plan; the plan may have changed since a draft was saved. */
function checkInterval(env: Env, plan: keyof typeof plans, minutes: number) {
  const allowed = allowedIntervals(env, plan);
  if (!allowed.includes(minutes)) {
    throw invalid("intervalMinutes", `Choose one of ${allowed.join(", ")} minutes on your plan`);
  }
}

/** A phase of the boundary inside the slot: one of 12 five-second steps, spreading the hourly herd. */
function boundaryOffsetSeconds(intervalMinutes: number): number {
  const phases = Math.max(1, Math.min(12, Math.floor((intervalMinutes * 60) / 5)));
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1));
  return 5 * (random % phases);
}

/** The 409 of a state change the test's status does not allow, naming the status. */
function refuseStatus(row: TestRow, allowed: readonly TestStatus[], action: string): never {
  throw new AppError(
    "conflict",
    `Only a test that is ${allowed.join(" or ")} can be ${action}; this one is ${row.status}.`,
  );
}

/**
 * One state change of a started test: the status is checked here first (a clear 409 without
 * waking the object), then the rotator, the one writer, does it and answers the refreshed test.
 */
async function control(
  c: Context<AppEnv>,
  testId: string,
  allowed: readonly TestStatus[],
  action: string,
  work: (control: RotatorControl) => Promise<RotatorAnswer>,
) {
  const row = await ownTest(c, testId);
  if (!allowed.includes(row.status)) refuseStatus(row, allowed, action);
  await askRotator(c, testId, work);
  return freshView(c, testId);
}

/**
 * The tests API: create (checked against YouTube and the plan), list, read, edit, the state
 * changes (through the test's TestRotator, the one writer of a started test), delete, results
 * and their CSV export. Mounted behind `requireUser`.
 */
export const testRoutes = new Hono<AppEnv>()
  .post("/tests", validate("json", createTestBody), async (c) => {
    const body = c.req.valid("json");
    const user = userOf(c);
    const db = c.var.db();
    checkInterval(c.env, user.plan, body.intervalMinutes);

    const now = Date.now();
    if (body.startAt && body.startAt.getTime() < now - START_SKEW_MS)
      throw invalid("startAt", "The start lies in the past");
    if (body.startAt && body.startAt.getTime() > now + MAX_TEST_MS) {
      throw invalid("startAt", "A test may be scheduled at most 30 days ahead");
    }
    const start = Math.max(now, body.startAt?.getTime() ?? now);
    const variantCount = body.titles.length + (body.includeCurrentTitle ? 1 : 0);
    const end = body.endAt?.getTime() ?? start + DEFAULT_TEST_MS;
    checkEnd(start, end, variantCount, body.intervalMinutes);

    // The video must be on the user's own channel, read fresh: a cached copy could be stale.
    const account = await accountOf(db, user.id);
    const [video] = await actForUser(c.env, db, user, (client, yt) =>
      client.getVideos(yt, [body.videoId], { fresh: true }),
    );
    if (!video?.snippet || !account?.channelId || video.snippet.channelId !== account.channelId) {
      throw new AppError("not_found", "No such video on your channel.");
    }
    const currentTitle = video.snippet.title;
    const variants = body.includeCurrentTitle ? [currentTitle, ...body.titles] : body.titles;
    if (hasDuplicateTitle(variants))
      throw invalid("titles", "A title is the same as the video's current title");

    const row = await insertTest(
      db,
      {
        userId: user.id,
        videoId: body.videoId,
        videoTitleOriginal: currentTitle,
        status: body.draft ? "draft" : "scheduled",
        metric: body.metric,
        intervalMinutes: body.intervalMinutes,
        boundaryOffsetSeconds: boundaryOffsetSeconds(body.intervalMinutes),
        autoApply: body.autoApply,
        // A draft keeps only what was asked for: its window is fixed when it starts.
        startsAt: body.draft ? (body.startAt ?? null) : new Date(start),
        endsAt: body.draft ? (body.endAt ?? null) : new Date(end),
      },
      variants,
      plans[user.plan].activeTests,
    );
    if (!body.draft) {
      try {
        await askRotator(c, row.id, (control) => control.start(row.id));
      } catch (err) {
        // No half-written test: the rotator did not take it, so it never existed.
        await forgetQuietly(c.env, row.id);
        await discardTest(db, row.id);
        throw err;
      }
    }
    return c.json(await freshView(c, row.id), 201);
  })
  .get("/tests", validate("query", listTestsQuery), async (c) => {
    const { status, limit } = c.req.valid("query");
    const rows = await listTests(c.var.db(), userOf(c).id, { statuses: status, limit });
    return c.json({ items: rows.map((row) => testView(row, row.titles)) });
  })
  .get("/tests/:id", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const view = await freshView(c, id);
    const events = await eventsOf(c.var.db(), id, 50);
    return c.json({ ...view, events });
  })
  .patch("/tests/:id", validate("param", testIdParam), validate("json", patchTestBody), async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = c.var.db();
    const row = await ownTest(c, id);
    const variants = await titlesOf(db, id);

    let allowed: readonly TestStatus[] = ["draft", ...LIVE];
    if (body.titles) {
      if (row.status !== "draft") refuseStatus(row, ["draft"], "renamed");
      allowed = ["draft"];
      const renamed = new Map(variants.map((t) => [t.variant, t.text]));
      for (const { variant, text } of body.titles) {
        if (!renamed.has(variant)) throw invalid("titles", `The test has no variant ${variant}`);
        renamed.set(variant, text);
      }
      if (hasDuplicateTitle([...renamed.values()])) throw invalid("titles", "Two titles would be the same");
    }
    if ((body.endAt || body.autoApply !== undefined) && !allowed.includes(row.status)) {
      refuseStatus(row, allowed, "changed");
    }
    if (body.endAt) {
      const now = Date.now();
      if (body.endAt.getTime() <= now) throw invalid("endAt", "The end must lie in the future");
      const start = Math.max(row.startsAt?.getTime() ?? now, row.status === "draft" ? now : 0);
      checkEnd(start, body.endAt.getTime(), variants.length, row.intervalMinutes);
    }
    if (row.status !== "draft" && (body.endAt || body.autoApply !== undefined)) {
      // A started test's rotator holds its own copy of these: it decides when the test ends.
      await askRotator(c, id, (control) =>
        control.amend({ endsAt: body.endAt?.getTime(), autoApply: body.autoApply }),
      );
    }
    const changed = await editTest(db, id, allowed, {
      endsAt: body.endAt,
      autoApply: body.autoApply,
      titles: body.titles,
    });
    if (!changed) throw new AppError("conflict", "The test changed meanwhile; reload it and try again.");
    await appendEvent(db, {
      userId: row.userId,
      testId: id,
      type: "edited",
      data: {
        ...(body.titles ? { titles: body.titles } : {}),
        ...(body.endAt ? { endsAt: body.endAt.toISOString() } : {}),
        ...(body.autoApply !== undefined ? { autoApply: body.autoApply } : {}),
      },
    });
    return c.json(await freshView(c, id));
  })
  .post("/tests/:id/start", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const user = userOf(c);
    const db = c.var.db();
    const row = await ownTest(c, id);
    if (row.status !== "draft") refuseStatus(row, ["draft"], "started");
    checkInterval(c.env, user.plan, row.intervalMinutes);
    const variants = await titlesOf(db, id);
    const now = Date.now();
    // A scheduled start that passed while the test was a draft means "now".
    const start = Math.max(now, row.startsAt?.getTime() ?? now);
    const end = row.endsAt?.getTime() ?? start + DEFAULT_TEST_MS;
    checkEnd(start, end, variants.length, row.intervalMinutes, "endsAt");
    const window = { startsAt: new Date(start), endsAt: new Date(end) };
    if (!(await scheduleDraft(db, user.id, id, window, plans[user.plan].activeTests))) {
      throw new AppError("conflict", "The test is no longer a draft.");
    }
    try {
      await askRotator(c, id, (control) => control.start(id));
    } catch (err) {
      await forgetQuietly(c.env, id);
      await revertToDraft(db, id);
      throw err;
    }
    return c.json(await freshView(c, id));
  })
  .post("/tests/:id/pause", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await control(c, id, controlFrom.pause, "paused", (r) => r.pause()));
  })
  .post("/tests/:id/resume", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await control(c, id, controlFrom.resume, "resumed", (r) => r.resume()));
  })
  .post("/tests/:id/stop", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await control(c, id, controlFrom.stop, "stopped", (r) => r.stop()));
  })
  .post(
    "/tests/:id/apply-winner",
    validate("param", testIdParam),
    validate("json", applyWinnerBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const { variant } = c.req.valid("json");
      const row = await ownTest(c, id);
      const from: readonly TestStatus[] = controlFrom.applyWinner;
      if (!from.includes(row.status)) refuseStatus(row, from, "given a winner");
      const variants = await titlesOf(c.var.db(), id);
      if (variant !== undefined && !variants.some((t) => t.variant === variant)) {
        throw invalid("variant", `The test has no variant ${variant}`);
      }
      if (variant === undefined && row.winnerVariant === null) {
        throw new AppError("conflict", "The test has no winner yet: choose the variant to keep.");
      }
      await askRotator(c, id, (control) => control.applyWinner(variant ?? null));
      return c.json(await freshView(c, id));
    },
  )
  .delete("/tests/:id", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const db = c.var.db();
    const row = await ownTest(c, id);
    if (row.status === "draft") {
      if (!(await deleteTest(db, id, ["draft"])))
        throw new AppError("conflict", "The test changed meanwhile.");
      return c.body(null, 204);
    }
    if (!FINISHED.includes(row.status)) {
      throw new AppError("conflict", `The test is ${row.status}: stop it first (that restores a title).`);
    }
    // The object goes first: a row without its object is harmless, an object without its row is not.
    try {
      await rotator(c.env, id).forget();
    } catch {
      throw new AppError(
        "upstream_unavailable",
        "The test's scheduler did not answer. Try again in a moment.",
      );
    }
    if (!(await deleteTest(db, id, FINISHED))) throw new AppError("conflict", "The test changed meanwhile.");
    return c.body(null, 204);
  })
  .get("/tests/:id/results", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownTest(c, id);
    return c.json(await results(c, row));
  })
  .get("/tests/:id/export.csv", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownTest(c, id);
    const csv = resultsCsv(await results(c, row));
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="test-${row.id}.csv"`,
      "cache-control": "no-store",
    });
  });

/** A test's results from its slots in Postgres; final once it is over or past its end time. */
async function results(c: Context<AppEnv>, row: TestRow) {
  const db = c.var.db();
  const variants = await titlesOf(db, row.id);
  const records = await slotsOf(db, row.id);
  const days = row.metric === "views" ? undefined : await dailyRowsOf(db, row.id);
  const now = Date.now();
  const final = FINISHED.includes(row.status) || (row.endsAt !== null && row.endsAt.getTime() <= now);
  return resultsOf(variants, records, { final, now, metric: row.metric, days });
}
