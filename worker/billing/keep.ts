import { and, eq, inArray } from "drizzle-orm";
import { tests } from "../../schema";
import { plans } from "../auth/plans";
import { Invalid } from "../domain/errors";
import { askRotator } from "../title-tests/control";
import { keptOnPlan } from "../title-tests/running-limit";
import type { Principal } from "../users/principal";
import type { BillingScope } from "./scope";

/**
 * After a downgrade the creator chooses which tests run: the ones named run (a paused one is
 * resumed), every other running one is paused — within the plan's limit and interval floor. The
 * pauses go first, so the limit is never exceeded in between. Answers both lists.
 */
export async function keepRunning(scope: BillingScope, user: Principal, testIds: readonly string[]) {
  const ids = [...new Set(testIds)];
  const limit = plans[user.plan].activeTests;
  if (limit !== null && ids.length > limit) {
    throw new Invalid("testIds", `Your plan runs ${limit} test${limit === 1 ? "" : "s"} at once.`);
  }
  const rows = await scope.db.$primary
    .select({ id: tests.id, status: tests.status, intervalMinutes: tests.intervalMinutes })
    .from(tests)
    .where(and(eq(tests.userId, user.id), inArray(tests.status, ["scheduled", "running", "paused"])));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const chosen = ids.map((id) => byId.get(id));
  if (chosen.some((r) => r === undefined)) {
    throw new Invalid("testIds", "Each test must be one of yours that is running or paused.");
  }
  const allowed = keptOnPlan(
    scope.env,
    user.plan,
    chosen.filter((r) => r !== undefined),
  );
  if (allowed.size !== ids.length) {
    throw new Invalid("testIds", "A chosen test rotates faster than your plan allows.");
  }
  const toPause = rows.filter((r) => r.status !== "paused" && !allowed.has(r.id));
  const toResume = rows.filter((r) => r.status === "paused" && allowed.has(r.id));
  for (const r of toPause) await askRotator(scope, r.id, (control) => control.pause());
  for (const r of toResume) await askRotator(scope, r.id, (control) => control.resume());
  return { running: ids, paused: toPause.map((r) => r.id) };
}
