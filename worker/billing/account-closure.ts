import { and, eq, isNull } from "drizzle-orm";
import Stripe from "stripe";
import { billingSubscriptions } from "../../schema";
import type { BillingScope } from "./scope";
import { callStripe, stripeClient } from "./stripe-client";

/**
 * Before an account is deleted: cancels its live Stripe subscriptions at once, so a creator who
 * left is never charged again. A Stripe that does not answer refuses the deletion (a 503 to retry)
 * rather than deleting the account and going on billing it. Answers how many were canceled.
 */
export async function cancelSubscriptionsOf(scope: BillingScope, userId: string): Promise<number> {
  const live = await scope.db.$primary
    .select({ id: billingSubscriptions.id })
    .from(billingSubscriptions)
    .where(and(eq(billingSubscriptions.userId, userId), isNull(billingSubscriptions.endedAt)));
  if (live.length === 0) return 0;
  const stripe = stripeClient(scope.env);
  for (const { id } of live) {
    await callStripe(scope.log, "subscriptions.cancel", () =>
      stripe.subscriptions.cancel(id).catch((err: unknown) => {
        // Already gone in Stripe: nothing left to cancel.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing")
          return null;
        throw err;
      }),
    );
  }
  scope.log.info("billing.canceled_for_deletion", { userId, subscriptions: live.length });
  return live.length;
}
