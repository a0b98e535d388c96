import { desc, eq } from "drizzle-orm";
import { billingSubscriptions, users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { Db } from "../db/client";

/**
 * How the creator's billing stands, as the SPA shows it:
 * - `free`: no subscription (or it ended: `endsAt` says when);
 * - `active`: paid, renewing at `renewsAt`;
 * - `canceling`: paid until `endsAt`, then Free;
 * - `grace`: a renewal failed: paid until `graceEndsAt` unless the card is fixed;
 * - `complimentary`: an admin set the plan; billing leaves it alone.
 */
export type BillingState = "free" | "active" | "canceling" | "grace" | "complimentary";

/** `GET /api/billing`. */
export interface BillingStatus {
  plan: Plan;
  state: BillingState;
  /** The Stripe subscription's own status (`active`, `past_due`, `canceled`, …), if any. */
  subscriptionStatus: string | null;
  interval: "month" | "year" | null;
  renewsAt: string | null;
  endsAt: string | null;
  graceEndsAt: string | null;
  /** Whether the creator has a Stripe customer (the portal needs one). */
  hasBillingAccount: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The creator's billing: their plan, and their newest subscription (a live one first). */
export async function billingStatus(db: Db, userId: string): Promise<BillingStatus | null> {
  // Neither read waits for the other.
  const [[user], subs] = await Promise.all([
    db.$primary
      .select({ plan: users.plan, planSource: users.planSource, customer: users.stripeCustomerId })
      .from(users)
      .where(eq(users.id, userId)),
    db.$primary
      .select()
      .from(billingSubscriptions)
      .where(eq(billingSubscriptions.userId, userId))
      .orderBy(desc(billingSubscriptions.stateAt)),
  ]);
  if (!user) return null;
  const sub = subs.find((s) => !s.endedAt) ?? subs[0];
  const base = { plan: user.plan, hasBillingAccount: user.customer !== null };
  const none = { subscriptionStatus: null, interval: null, renewsAt: null, endsAt: null, graceEndsAt: null };
  if (user.planSource === "admin") return { ...base, ...none, state: "complimentary" };
  if (!sub) return { ...base, ...none, state: "free" };
  const fields = {
    subscriptionStatus: sub.status,
    interval: sub.interval,
    graceEndsAt: iso(sub.graceEndsAt),
  };
  if (sub.endedAt || user.plan === "free") {
    return { ...base, ...fields, state: "free", renewsAt: null, endsAt: iso(sub.endedAt ?? sub.graceEndsAt) };
  }
  if (sub.graceEndsAt) return { ...base, ...fields, state: "grace", renewsAt: null, endsAt: null };
  if (sub.cancelAtPeriodEnd) {
    return { ...base, ...fields, state: "canceling", renewsAt: null, endsAt: iso(sub.currentPeriodEnd) };
  }
  return { ...base, ...fields, state: "active", renewsAt: iso(sub.currentPeriodEnd), endsAt: null };
}
