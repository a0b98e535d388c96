import type { Plan } from "../auth/plans";
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
export function planOf(row: EntitlementRow, now: number): Plan {
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
