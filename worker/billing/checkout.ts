import type { BillingInterval } from "../../schema/billing";
import { Conflict } from "../domain/errors";
import { type PaidPlan, priceTable } from "./config";
import { ensureCustomer } from "./customer";
import { entitledPlan, readEntitlement } from "./entitlement";
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
  const entitlement = await readEntitlement(scope.db, userId);
  if (entitlement?.planSource === "admin") {
    throw new Conflict("Your plan was granted by an administrator; it cannot be bought over.");
  }
  if (entitlement && entitledPlan(entitlement.subscriptions, Date.now()) !== "free") {
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
