import type { Plan } from "../auth/plans";
import { errorFields } from "../logging/logger";
import { askRotator } from "../title-tests/control";
import { keptOnPlan, runningTests } from "../title-tests/running-limit";
import type { BillingScope } from "./scope";

/**
 * After a move to a smaller plan: pauses the running tests the plan does not allow (by default the
 * newest beyond its limit; the creator may choose others with `keepRunning`). Nothing is deleted; a
 * paused test keeps its slots and can be resumed or stopped. Answers the ids paused — the one point
 * where a "paused by downgrade" notice belongs. A rotator that does not answer is logged and left
 * running (the next plan change or the creator's own pause settles it).
 */
export async function pauseOverLimit(scope: BillingScope, userId: string, plan: Plan): Promise<string[]> {
  const running = await runningTests(scope.db, userId);
  const kept = keptOnPlan(scope.env, plan, running);
  const paused: string[] = [];
  for (const test of running) {
    if (kept.has(test.id)) continue;
    try {
      await askRotator(scope, test.id, (control) => control.pause());
      paused.push(test.id);
    } catch (err) {
      scope.log.warn("billing.downgrade_pause_failed", { testId: test.id, ...errorFields(err) });
    }
  }
  if (paused.length > 0) scope.log.info("billing.downgrade_paused", { userId, plan, paused });
  return paused;
}
