import { plans } from "../auth/plans";
import { Conflict, Invalid, NotFound } from "../domain/errors";
import { accountOf } from "../users/queries";
import { actForUser } from "../users/youtube-user";
import { refuseStatus, startOrRollBack } from "./control";
import type { CreateTestBody } from "./input";
import { discardTest, insertTest, revertToDraft, scheduleDraft, titlesOf } from "./queries";
import { freshView, ownTest } from "./reading";
import {
  boundaryOffsetSeconds,
  checkEnd,
  checkInterval,
  draftStartWindow,
  newTestWindow,
} from "./schedule-checks";
import type { TitleTestScope } from "./scope";
import { hasDuplicateTitle } from "./title-rules";

/**
 * Creates a test, checked against the plan and against YouTube (the video must be on the creator's
 * own channel), and unless it is a draft hands it to its rotator; a test the rotator would not
 * take is deleted again. Answers the new test.
 */
export async function createTest(scope: TitleTestScope, body: CreateTestBody) {
  const { env, db, user } = scope;
  checkInterval(env, user.plan, body.intervalMinutes);
  const window = newTestWindow(body.startAt, body.endAt, Date.now());
  const variantCount = body.titles.length + (body.includeCurrentTitle ? 1 : 0);
  checkEnd(window, variantCount, body.intervalMinutes);

  // The video must be on the user's own channel, read fresh: a cached copy could be stale.
  const account = await accountOf(db, user.id);
  const [video] = await actForUser(env, db, user, (client, yt) =>
    client.getVideos(yt, [body.videoId], { fresh: true }),
  );
  if (!video?.snippet || !account?.channelId || video.snippet.channelId !== account.channelId) {
    throw new NotFound("No such video on your channel.");
  }
  const currentTitle = video.snippet.title;
  const variants = body.includeCurrentTitle ? [currentTitle, ...body.titles] : body.titles;
  if (hasDuplicateTitle(variants))
    throw new Invalid("titles", "A title is the same as the video's current title");

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
      startsAt: body.draft ? (body.startAt ?? null) : new Date(window.start),
      endsAt: body.draft ? (body.endAt ?? null) : new Date(window.end),
    },
    variants,
    plans[user.plan].activeTests,
  );
  // No half-written test: if the rotator does not take it, it never existed.
  if (!body.draft) await startOrRollBack(scope, row.id, () => discardTest(db, row.id));
  return freshView(scope, row.id);
}

/**
 * Starts a draft: its window is fixed now and checked again (the plan may have changed since it
 * was saved); a draft the rotator would not take is a draft again. Answers the started test.
 */
export async function startDraft(scope: TitleTestScope, testId: string) {
  const { env, db, user } = scope;
  const row = await ownTest(scope, testId);
  if (row.status !== "draft") refuseStatus(row, ["draft"], "started");
  checkInterval(env, user.plan, row.intervalMinutes);
  const variants = await titlesOf(db, testId);
  const window = draftStartWindow(row.startsAt, row.endsAt, Date.now());
  checkEnd(window, variants.length, row.intervalMinutes, "endsAt");
  const dates = { startsAt: new Date(window.start), endsAt: new Date(window.end) };
  if (!(await scheduleDraft(db, user.id, testId, dates, plans[user.plan].activeTests))) {
    throw new Conflict("The test is no longer a draft.");
  }
  await startOrRollBack(scope, testId, () => revertToDraft(db, testId));
  return freshView(scope, testId);
}
