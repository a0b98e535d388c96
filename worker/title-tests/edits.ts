import { controlFrom } from "../../durable-objects/test-rotator/contract";
import { liveTestStatuses, type TestStatus } from "../../schema";
import { Conflict, Invalid } from "../domain/errors";
import { askRotator, forgetRotator, refuseStatus } from "./control";
import type { PatchTestBody } from "./input";
import { appendEvent, deleteTest, editTest, titlesOf } from "./queries";
import { FINISHED, freshView, ownTest } from "./reading";
import { checkEnd } from "./schedule-checks";
import type { TitleTestScope } from "./scope";
import { hasDuplicateTitle } from "./title-rules";

const LIVE: readonly TestStatus[] = liveTestStatuses;

/**
 * Edits a test: a draft's titles, a draft's or live test's end time and auto-apply choice. A
 * started test's rotator holds its own copy of the latter (it decides when the test ends), so it
 * is told first. Every edit is an `edited` event. Answers the refreshed test.
 */
export async function amendTest(scope: TitleTestScope, testId: string, body: PatchTestBody) {
  const { db } = scope;
  const row = await ownTest(scope, testId);
  const variants = await titlesOf(db, testId);

  let allowed: readonly TestStatus[] = ["draft", ...LIVE];
  if (body.titles) {
    if (row.status !== "draft") refuseStatus(row, ["draft"], "renamed");
    allowed = ["draft"];
    const renamed = new Map(variants.map((t) => [t.variant, t.text]));
    for (const { variant, text } of body.titles) {
      if (!renamed.has(variant)) throw new Invalid("titles", `The test has no variant ${variant}`);
      renamed.set(variant, text);
    }
    if (hasDuplicateTitle([...renamed.values()])) throw new Invalid("titles", "Two titles would be the same");
  }
  if ((body.endAt || body.autoApply !== undefined) && !allowed.includes(row.status)) {
    refuseStatus(row, allowed, "changed");
  }
  if (body.endAt) {
    const now = Date.now();
    if (body.endAt.getTime() <= now) throw new Invalid("endAt", "The end must lie in the future");
    const start = Math.max(row.startsAt?.getTime() ?? now, row.status === "draft" ? now : 0);
    checkEnd({ start, end: body.endAt.getTime() }, variants.length, row.intervalMinutes);
  }
  if (row.status !== "draft" && (body.endAt || body.autoApply !== undefined)) {
    await askRotator(scope, testId, (control) =>
      control.amend({ endsAt: body.endAt?.getTime(), autoApply: body.autoApply }),
    );
  }
  const changed = await editTest(db, testId, allowed, {
    endsAt: body.endAt,
    autoApply: body.autoApply,
    titles: body.titles,
  });
  if (!changed) throw new Conflict("The test changed meanwhile; reload it and try again.");
  await appendEvent(db, {
    userId: row.userId,
    testId,
    type: "edited",
    data: {
      ...(body.titles ? { titles: body.titles } : {}),
      ...(body.endAt ? { endsAt: body.endAt.toISOString() } : {}),
      ...(body.autoApply !== undefined ? { autoApply: body.autoApply } : {}),
    },
  });
  return freshView(scope, testId);
}

/**
 * Ends a test with `variant` left live (undefined: the analysis' winner, refused while there is
 * none), through its rotator. Answers the refreshed test.
 */
export async function applyWinner(scope: TitleTestScope, testId: string, variant: number | undefined) {
  const row = await ownTest(scope, testId);
  const from: readonly TestStatus[] = controlFrom.applyWinner;
  if (!from.includes(row.status)) refuseStatus(row, from, "given a winner");
  const variants = await titlesOf(scope.db, testId);
  if (variant !== undefined && !variants.some((t) => t.variant === variant)) {
    throw new Invalid("variant", `The test has no variant ${variant}`);
  }
  if (variant === undefined && row.winnerVariant === null) {
    throw new Conflict("The test has no winner yet: choose the variant to keep.");
  }
  await askRotator(scope, testId, (control) => control.applyWinner(variant ?? null));
  return freshView(scope, testId);
}

/**
 * Deletes a draft, or a finished test with its rotator. A live test is refused: stopping it first
 * restores a title.
 */
export async function removeTest(scope: TitleTestScope, testId: string): Promise<void> {
  const { db } = scope;
  const row = await ownTest(scope, testId);
  if (row.status === "draft") {
    if (!(await deleteTest(db, testId, ["draft"]))) throw new Conflict("The test changed meanwhile.");
    return;
  }
  if (!FINISHED.includes(row.status)) {
    throw new Conflict(`The test is ${row.status}: stop it first (that restores a title).`);
  }
  // The object goes first: a row without its object is harmless, an object without its row is not.
  await forgetRotator(scope.env, testId);
  if (!(await deleteTest(db, testId, FINISHED))) throw new Conflict("The test changed meanwhile.");
}
