import { and, asc, eq, inArray } from "drizzle-orm";
import { tests } from "../../schema";
import { type Plan, plans } from "../auth/plans";
import { errorFields } from "../logging/logger";
import { askRotator } from "../title-tests/control";
import { allowedIntervals } from "../title-tests/intervals";
import type { BillingScope } from "./scope";

/** Statuses of a test that is rotating (or about to): what a plan's concurrent-test limit counts. */
const RUNNING = ["scheduled", "running"] as const;

/** A running test as the downgrade rule reads it. */
export interface RunningTest {
  id: string;
  intervalMinutes: number;
}

/**
 * Which running tests `plan` lets run on, oldest first: those whose interval the plan allows, up to
 * its limit. The rest are to be paused (the newest beyond the limit, and any rotating faster than
 * the plan's floor, since a test's slot grid is fixed when it starts).
 */
export function keptOnPlan(env: Env, plan: Plan, running: readonly RunningTest[]): Set<string> {
  const allowed = allowedIntervals(env, plan);
  const fits = running.filter((t) => allowed.includes(t.intervalMinutes));
  const limit = plans[plan].activeTests;
  return new Set((limit === null ? fits : fits.slice(0, limit)).map((t) => t.id));
}

/** The creator's running tests, oldest first. */
export async function runningTests(scope: BillingScope, userId: string): Promise<RunningTest[]> {
  return scope.db.$primary
    .select({ id: tests.id, intervalMinutes: tests.intervalMinutes })
    .from(tests)
    .where(and(eq(tests.userId, userId), inArray(tests.status, RUNNING)))
    .orderBy(asc(tests.createdAt), asc(tests.id));
}

/**
 * After a move to a smaller plan: pauses the running tests the plan does not allow (by default the
 * newest beyond its limit; the creator may choose others with `keepRunning`). Nothing is deleted; a
 * paused test keeps its slots and can be resumed or stopped. Answers the ids paused — the one point
 * where a "paused by downgrade" notice belongs. A rotator that does not answer is logged and left
 * running (the next plan change or the creator's own pause settles it).
 */
export async function pauseOverLimit(scope: BillingScope, userId: string, plan: Plan): Promise<string[]> {
  const running = await runningTests(scope, userId);
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
