import type { RotatorView } from "../../durable-objects/test-rotator/contract";
import { Conflict } from "../domain/errors";
import { askRotator } from "./control";
import { ownTest } from "./reading";
import type { TitleTestScope } from "./scope";

/**
 * The local time-lapse (`npm run demo:ctr`): the creator's started test runs its armed step now,
 * at the step's own time, as if its alarm had fired; answers the rotator's state after it. Only
 * reachable while `timeLapseEnabled` (the dev routes check it; so does the rotator).
 */
export async function runDueStep(scope: TitleTestScope, testId: string): Promise<RotatorView> {
  const row = await ownTest(scope, testId);
  if (row.status === "draft") throw new Conflict("The test has not started: a draft has no step to run.");
  return askRotator(scope, testId, (control) => control.runDueStep());
}
