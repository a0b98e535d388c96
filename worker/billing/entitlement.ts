import { eq } from "drizzle-orm";
import { billingSubscriptions, users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { Db } from "../db/client";
import { planRank } from "./config";

/** What decides a subscription's plan: its row in `billing_subscriptions`. */
export interface EntitlementRow {
  plan: "pro" | "authority";
  status: string;
  endedAt: Date | null;
  graceEndsAt: Date | null;
}

/**
 * Stripe statuses that keep the plan: `past_due` too, since a failed renewal is judged by the grace
 * period, not by Stripe's retries. `incomplete` (the first payment not made), `unpaid`, `paused`,
 * `canceled` and `incomplete_expired` do not.
 */
const PAID_STATUSES = new Set(["active", "trialing", "past_due"]);

/** The plan one subscription gives at `now`: Free once it ended or its grace period ran out. */
function planOf(row: EntitlementRow, now: number): Plan {
  if (row.endedAt || !PAID_STATUSES.has(row.status)) return "free";
  if (row.graceEndsAt && row.graceEndsAt.getTime() <= now) return "free";
  return row.plan;
}

/** The plan a creator's subscriptions give together (the best of them; Free without any). */
export function entitledPlan(rows: readonly EntitlementRow[], now: number): Plan {
  let best: Plan = "free";
  for (const row of rows) {
    const plan = planOf(row, now);
    if (planRank[plan] > planRank[best]) best = plan;
  }
  return best;
}

/** What billing decides a creator's plan from: their plan now, who set it, their subscriptions. */
export interface Entitlement {
  plan: Plan;
  planSource: "default" | "billing" | "admin";
  subscriptions: EntitlementRow[];
}

/** The creator's entitlement, read from the primary (a webhook must see its own writes); null: no such user. */
export async function readEntitlement(db: Db, userId: string): Promise<Entitlement | null> {
  // Neither read waits for the other.
  const [[user], subscriptions] = await Promise.all([
    db.$primary
      .select({ plan: users.plan, planSource: users.planSource })
      .from(users)
      .where(eq(users.id, userId)),
    db.$primary
      .select({
        plan: billingSubscriptions.plan,
        status: billingSubscriptions.status,
        endedAt: billingSubscriptions.endedAt,
        graceEndsAt: billingSubscriptions.graceEndsAt,
      })
      .from(billingSubscriptions)
      .where(eq(billingSubscriptions.userId, userId)),
  ]);
  return user ? { ...user, subscriptions } : null;
}
