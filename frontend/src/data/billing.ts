import { action, query } from "@solidjs/router";
import type { InferRequestType, InferResponseType } from "hono/client";
import { ApiError, api, send } from "./api";

/** The creator's billing, as `GET /api/billing` answers it. */
export type Billing = InferResponseType<typeof api.billing.$get, 200>;

/** A plan and interval to buy. */
export type CheckoutChoice = InferRequestType<typeof api.billing.checkout.$post>["json"];

/** The creator's billing, or `null` when signed out (a plan change ends every session). */
export const getBilling = query(async (): Promise<Billing | null> => {
  try {
    return await (await send(api.billing.$get())).json();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}, "billing");

/** Leaves for Stripe's hosted page at `url` (a full navigation: it is another site). */
function leaveFor(url: string): void {
  window.location.assign(url);
}

/** Starts a Stripe Checkout for a plan and interval, and goes there. */
export const startCheckout = action(async (choice: CheckoutChoice) => {
  const { url } = await (await send(api.billing.checkout.$post({ json: choice }))).json();
  leaveFor(url);
}, "billing-checkout");

/** Opens Stripe's Customer Portal (plan, cancellation, card, invoices), and goes there. */
export const openPortal = action(async () => {
  const { url } = await (await send(api.billing.portal.$post())).json();
  leaveFor(url);
}, "billing-portal");

/** Whether a plan and interval from a URL are ones that can be bought. */
export function checkoutChoiceOf(plan: unknown, interval: unknown): CheckoutChoice | null {
  if ((plan === "pro" || plan === "authority") && (interval === "month" || interval === "year")) {
    return { plan, interval };
  }
  return null;
}

/** Where a signed-out visitor goes to buy `choice`: sign-in first, then the checkout. */
export function signInToBuy(choice: CheckoutChoice): string {
  const returnTo = `/billing/checkout?plan=${choice.plan}&interval=${choice.interval}`;
  return `/api/auth/google/start?returnTo=${encodeURIComponent(returnTo)}`;
}
