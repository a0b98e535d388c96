import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import type { Plan } from "../auth/plans";
import { notify } from "../notifications/notify";
import { setPlan } from "../users/queries";
import { planRank } from "./config";
import { pauseOverLimit } from "./downgrade";
import { entitledPlan, readEntitlement } from "./entitlement";
import type { BillingScope } from "./scope";

/** What a plan change did: the plans before and after, and the tests a downgrade paused. */
export interface PlanChange {
  from: Plan;
  to: Plan;
  paused: string[];
}

/**
 * Sets the creator's plan to what their subscriptions give at `now`, through the same path as an
 * admin's change (`setPlan`: sessions end so none keeps the old plan; the ledger's daily cap
 * follows). An admin's complimentary plan is left alone. A downgrade pauses the running tests the
 * new plan does not allow. Answers the change, or null when the plan stays.
 */
export async function applyEntitledPlan(
  scope: BillingScope,
  userId: string,
  now = Date.now(),
): Promise<PlanChange | null> {
  const { db, env } = scope;
  const user = await readEntitlement(db, userId);
  if (!user || user.planSource === "admin") return null;
  const to = entitledPlan(user.subscriptions, now);
  if (to === user.plan) return null;
  await setPlan(db, env, userId, to, "billing");
  await quotaLedger(env).assignProject(userId, to);
  const paused = planRank[to] < planRank[user.plan] ? await pauseOverLimit(scope, userId, to) : [];
  scope.log.info("billing.plan_changed", { userId, from: user.plan, to, paused: paused.length });
  // One mail per paused test; the change's time tells this downgrade from a later one.
  await notify(
    env,
    ...paused.map((testId) => ({
      kind: "test_paused" as const,
      testId,
      reason: "plan_downgrade" as const,
      occurrence: `${to}:${now}`,
    })),
  );
  return { from: user.plan, to, paused };
}
