import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { billingSubscriptions, users } from "../../schema";
import type { BillingInterval } from "../../schema/billing";
import type { Db } from "../db/client";
import { type PaidPlan, type PriceTable, planOfPrice } from "./config";

/** A subscription's state as a webhook (or a fetch from Stripe) carries it. */
export interface SubscriptionState {
  id: string;
  customerId: string;
  plan: PaidPlan;
  interval: BillingInterval;
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  endedAt: Date | null;
}

const seconds = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** The id of an expandable Stripe field (a string, or the object itself when expanded). */
export const idOf = (field: string | { id: string } | null | undefined) =>
  typeof field === "string" ? field : (field?.id ?? null);

/** Reads a Stripe subscription; null when its price is not one of ours (nothing to apply). */
export function stateOf(sub: Stripe.Subscription, prices: PriceTable): SubscriptionState | null {
  const item = sub.items.data[0];
  const sold = item ? planOfPrice(prices, item.price.id) : null;
  const customerId = idOf(sub.customer);
  if (!item || !sold || !customerId) return null;
  return {
    id: sub.id,
    customerId,
    ...sold,
    status: sub.status,
    currentPeriodEnd: seconds(item.current_period_end),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    endedAt: seconds(sub.ended_at) ?? (sub.status === "canceled" ? seconds(sub.canceled_at) : null),
  };
}

/** How the state arrived: `created` never replaces a state of the same second (it is the oldest). */
export type StateKind = "created" | "updated" | "deleted";

/**
 * Stores a subscription's state carried by an event of time `at`, unless the stored one is newer:
 * events arrive in any order, so a state replaces another only when its event is later (or, in the
 * same second, when it is not the `created` one), and an ended subscription never changes again
 * (Stripe never revives one). Answers whether the state was stored.
 */
export async function recordState(
  db: Db,
  userId: string,
  state: SubscriptionState,
  at: Date,
  kind: StateKind,
): Promise<boolean> {
  const t = billingSubscriptions;
  const values = { ...state, userId, stateAt: at, updatedAt: new Date() };
  const { id: _id, ...changes } = values;
  const newer = kind === "created" ? sql`${t.stateAt} < ${at}` : sql`${t.stateAt} <= ${at}`;
  const rows = await db
    .insert(t)
    .values(values)
    .onConflictDoUpdate({ target: t.id, set: changes, where: sql`${t.endedAt} is null and ${newer}` })
    .returning({ id: t.id });
  return rows.length > 0;
}

/** The creator whose Stripe customer this is, or null (not ours, or the account was deleted). */
export async function userOfCustomer(db: Db, customerId: string): Promise<string | null> {
  const [row] = await db.$primary
    .select({ id: users.id })
    .from(users)
    .where(eq(users.stripeCustomerId, customerId));
  return row?.id ?? null;
}
