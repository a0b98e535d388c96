import { Conflict } from "../domain/errors";
import { customerOf } from "./customer";
import type { BillingScope } from "./scope";
import { callStripe, stripeClient } from "./stripe-client";

/** Opens the Customer Portal (plan, cancellation, card, invoices): answers its URL. */
export async function openPortal(scope: BillingScope, userId: string, appOrigin: string) {
  const customer = await customerOf(scope, userId);
  if (!customer) throw new Conflict("You have no billing account yet: choose a plan first.");
  const stripe = stripeClient(scope.env);
  const session = await callStripe(scope.log, "billingPortal.sessions.create", () =>
    stripe.billingPortal.sessions.create({ customer, return_url: `${appOrigin}/account` }),
  );
  return { url: session.url };
}
