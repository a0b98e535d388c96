import {
  controlFrom,
  type RotatorAnswer,
  type RotatorControl,
  type RotatorView,
} from "../../durable-objects/test-rotator/contract";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import type { TestStatus } from "../../schema";
import { Conflict, NotFound, Unavailable } from "../domain/errors";
import { errorFields } from "../logging/logger";
import type { TestRow } from "./queries";
import { freshView, ownTest } from "./reading";
import { refuseResumeOverPlan } from "./running-limit";
import type { TitleTestScope } from "./scope";

const NO_ANSWER = "The test's scheduler did not answer. Try again in a moment.";

/** The test's TestRotator, seen through its control contract. */
function rotator(env: Env, testId: string): RotatorControl {
  return testRotator(env, testId);
}

/**
 * Asks the rotator to act. A refusal becomes the Conflict or NotFound it names; an object that did
 * not answer (or threw) Unavailable, with the reason logged (a retryable error, never a 500).
 */
export async function askRotator(
  scope: Pick<TitleTestScope, "env" | "log">,
  testId: string,
  work: (control: RotatorControl) => Promise<RotatorAnswer>,
): Promise<RotatorView> {
  let answer: RotatorAnswer;
  try {
    answer = await work(rotator(scope.env, testId));
  } catch (err) {
    scope.log.error("rotator call failed", { testId, ...errorFields(err) });
    throw new Unavailable(NO_ANSWER);
  }
  if (!answer.ok)
    throw answer.code === "not_found" ? new NotFound(answer.message) : new Conflict(answer.message);
  return answer.view;
}

/**
 * Hands a test that is now `scheduled` to its rotator. If the rotator does not take it, whatever
 * the failed start left in the object (a state, an alarm) is cleared and `rollBack` undoes the
 * row's change, so no half-started test remains; the failure then goes on to the caller.
 */
export async function startOrRollBack(
  scope: Pick<TitleTestScope, "env" | "log">,
  testId: string,
  rollBack: () => Promise<void>,
): Promise<void> {
  try {
    await askRotator(scope, testId, (control) => control.start(testId));
  } catch (err) {
    try {
      await rotator(scope.env, testId).forget();
    } catch {
      // The start already failed and is answered as such; an object left behind is cleared on retry.
    }
    await rollBack();
    throw err;
  }
}

/** Deletes the rotator's storage and alarm, before the test's row goes. */
export async function forgetRotator(env: Env, testId: string): Promise<void> {
  try {
    await rotator(env, testId).forget();
  } catch {
    throw new Unavailable(NO_ANSWER);
  }
}

/** The Conflict of a state change the test's status does not allow, naming the status. */
export function refuseStatus(row: TestRow, allowed: readonly TestStatus[], action: string): never {
  throw new Conflict(
    `Only a test that is ${allowed.join(" or ")} can be ${action}; this one is ${row.status}.`,
  );
}

/**
 * One state change of a started test: the status is checked here first (a clear Conflict without
 * waking the object), then the rotator, the one writer, does it; answers the refreshed test.
 */
export async function changeStatus(
  scope: TitleTestScope,
  testId: string,
  allowed: readonly TestStatus[],
  action: string,
  work: (control: RotatorControl) => Promise<RotatorAnswer>,
) {
  const row = await ownTest(scope, testId);
  if (!allowed.includes(row.status)) refuseStatus(row, allowed, action);
  await askRotator(scope, testId, work);
  return freshView(scope, testId);
}

/**
 * Resumes a paused test, unless the creator's plan would not let it run beside their running ones
 * (a downgrade paused it): then a Conflict says what to do, and nothing changes.
 */
export async function resumeTest(scope: TitleTestScope, testId: string) {
  const row = await ownTest(scope, testId);
  if (row.status === "paused") await refuseResumeOverPlan(scope.env, scope.db, scope.user, row);
  return changeStatus(scope, testId, controlFrom.resume, "resumed", (r) => r.resume());
}
