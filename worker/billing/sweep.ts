import { and, eq, isNull, lte, ne } from "drizzle-orm";
import { billingSubscriptions, users } from "../../schema";
import { applyEntitledPlan } from "./plan-change";
import type { BillingScope } from "./scope";

/**
 * The cron's part: creators whose grace period ran out while still on a paid plan fall back to
 * Free (with their tests over the limit paused), unless the subscription's deletion did it first.
 * Answers how many changed plan.
 */
export async function lapseExpiredGrace(scope: BillingScope, now = Date.now()): Promise<number> {
  const due = await scope.db
    .selectDistinct({ userId: billingSubscriptions.userId })
    .from(billingSubscriptions)
    .innerJoin(users, eq(users.id, billingSubscriptions.userId))
    .where(
      and(
        lte(billingSubscriptions.graceEndsAt, new Date(now)),
        isNull(billingSubscriptions.endedAt),
        ne(users.plan, "free"),
        eq(users.planSource, "billing"),
      ),
    );
  let changed = 0;
  for (const { userId } of due) {
    if (await applyEntitledPlan(scope, userId, now)) changed++;
  }
  return changed;
}
