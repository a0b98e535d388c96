import { and, asc, eq, inArray } from "drizzle-orm";
import { tests } from "../../schema";
import { type Plan, plans } from "../auth/plans";
import type { Db } from "../db/client";
import { Conflict } from "../domain/errors";
import { allowedIntervals } from "./intervals";

/** Statuses of a test that is rotating (or about to): what a plan's concurrent-test limit counts. */
const RUNNING = ["scheduled", "running"] as const;

/** A running test as the plan's limit reads it. */
export interface RunningTest {
  id: string;
  intervalMinutes: number;
}

/**
 * Which of `running` (oldest first) `plan` lets run: those whose interval the plan allows, up to
 * its limit. The rest may not run on it (the newest beyond the limit, and any rotating faster than
 * the plan's floor, since a test's slot grid is fixed when it starts).
 */
export function keptOnPlan(env: Env, plan: Plan, running: readonly RunningTest[]): Set<string> {
  const allowed = allowedIntervals(env, plan);
  const fits = running.filter((t) => allowed.includes(t.intervalMinutes));
  const limit = plans[plan].activeTests;
  return new Set((limit === null ? fits : fits.slice(0, limit)).map((t) => t.id));
}

/** The creator's running tests, oldest first. */
export async function runningTests(db: Db, userId: string): Promise<RunningTest[]> {
  return db.$primary
    .select({ id: tests.id, intervalMinutes: tests.intervalMinutes })
    .from(tests)
    .where(and(eq(tests.userId, userId), inArray(tests.status, RUNNING)))
    .orderBy(asc(tests.createdAt), asc(tests.id));
}

/**
 * Refuses to resume a paused test the creator's plan would not let run beside their running ones
 * (after a downgrade paused it): a clear Conflict saying what to do, before the rotator is asked.
 */
export async function refuseResumeOverPlan(
  env: Env,
  db: Db,
  user: { id: string; plan: Plan },
  test: RunningTest,
): Promise<void> {
  if (!allowedIntervals(env, user.plan).includes(test.intervalMinutes)) {
    throw new Conflict(
      `Your plan rotates titles every ${plans[user.plan].minIntervalMinutes} minutes at the fastest; this test rotates every ${test.intervalMinutes}. Stop it, or upgrade to resume it.`,
    );
  }
  const running = (await runningTests(db, user.id)).filter((t) => t.id !== test.id);
  if (!keptOnPlan(env, user.plan, [...running, test]).has(test.id)) {
    const limit = plans[user.plan].activeTests;
    throw new Conflict(
      `Your plan runs ${limit} test${limit === 1 ? "" : "s"} at once: pause or stop one before resuming this one, or upgrade.`,
    );
  }
}
