import { and, eq, isNull } from "drizzle-orm";
import { billingSubscriptions, users } from "../../schema";
import type { BillingInterval } from "../../schema/billing";
import { Conflict } from "../domain/errors";
import { type PaidPlan, priceTable } from "./config";
import { ensureCustomer } from "./customer";
import { planOf } from "./entitlement";
import type { BillingScope } from "./scope";
import { callStripe, stripeClient } from "./stripe-client";

/**
 * Starts a Stripe Checkout for `plan` paid every `interval`: answers the hosted page's URL. The
 * plan changes only when Stripe's webhook says the subscription exists, never on the redirect.
 * A creator who already pays changes plan in the portal instead (one subscription each), and a
 * complimentary (admin-set) plan is not for sale over.
 */
export async function startCheckout(
  scope: BillingScope,
  userId: string,
  choice: { plan: PaidPlan; interval: BillingInterval },
  appOrigin: string,
): Promise<{ url: string }> {
  const price = priceTable(scope.env)[choice.plan][choice.interval];
  const [user] = await scope.db.$primary
    .select({ planSource: users.planSource })
    .from(users)
    .where(eq(users.id, userId));
  if (user?.planSource === "admin") {
    throw new Conflict("Your plan was granted by an administrator; it cannot be bought over.");
  }
  const live = await scope.db.$primary
    .select({
      plan: billingSubscriptions.plan,
      status: billingSubscriptions.status,
      endedAt: billingSubscriptions.endedAt,
      graceEndsAt: billingSubscriptions.graceEndsAt,
    })
    .from(billingSubscriptions)
    .where(and(eq(billingSubscriptions.userId, userId), isNull(billingSubscriptions.endedAt)));
  if (live.some((row) => planOf(row, Date.now()) !== "free")) {
    throw new Conflict("You already have a subscription: change your plan with Manage billing.");
  }
  const customer = await ensureCustomer(scope, userId);
  const stripe = stripeClient(scope.env);
  const session = await callStripe(scope.log, "checkout.sessions.create", () =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: userId,
      line_items: [{ price, quantity: 1 }],
      subscription_data: { metadata: { userId } },
      success_url: `${appOrigin}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${appOrigin}/account`,
    }),
  );
  if (!session.url) throw new Conflict("Stripe did not give a checkout page. Try again.");
  return { url: session.url };
}
