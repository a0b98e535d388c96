import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { billingEvents, billingSubscriptions, users } from "../../schema";
import { Invalid } from "../domain/errors";
import { notify } from "../notifications/notify";
import { type BillingVars, billingSecret, priceTable } from "./config";
import { settleGrace, startGrace } from "./grace";
import { applyEntitledPlan } from "./plan-change";
import type { BillingScope } from "./scope";
import { callStripe, stripeClient, webCrypto } from "./stripe-client";
import { idOf, recordState, type StateKind, stateOf, userOfCustomer } from "./subscriptions";

/** How old a signature may be (Stripe's own default): an older one is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The event of a webhook, once its `Stripe-Signature` (HMAC-SHA256 of `t.body` with the endpoint's
 * secret, at most five minutes old) matches the raw body. Anything else is Invalid (a 400, and
 * nothing changes), so Stripe shows the delivery as failed.
 */
export async function verifiedEvent(vars: BillingVars, body: string, signature: string | undefined) {
  if (!signature) throw new Invalid("stripe-signature", "The Stripe-Signature header is missing.");
  const secret = billingSecret(vars, "STRIPE_WEBHOOK_SECRET");
  try {
    return await Stripe.webhooks.constructEventAsync(
      body,
      signature,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      webCrypto,
    );
  } catch {
    throw new Invalid("stripe-signature", "The Stripe signature does not match this body, or is too old.");
  }
}

/** What handling one event did, for the answer to Stripe and the tests. */
export interface EventOutcome {
  eventId: string;
  /** false: the event was applied before (a redelivery), so nothing was done again. */
  applied: boolean;
}

/**
 * Applies one verified event once. Its id is claimed first (a redelivery, even a concurrent one,
 * finds it taken and does nothing); a failure releases the claim, so Stripe's retry applies it.
 */
export async function handleEvent(scope: BillingScope, event: Stripe.Event): Promise<EventOutcome> {
  const claimed = await scope.db
    .insert(billingEvents)
    .values({ id: event.id, type: event.type })
    .onConflictDoNothing()
    .returning({ id: billingEvents.id });
  if (claimed.length === 0) return { eventId: event.id, applied: false };
  try {
    await apply(scope, event);
  } catch (err) {
    await scope.db.delete(billingEvents).where(eq(billingEvents.id, event.id));
    throw err;
  }
  return { eventId: event.id, applied: true };
}

const SUBSCRIPTION_KINDS: Partial<Record<Stripe.Event.Type, StateKind>> = {
  "customer.subscription.created": "created",
  "customer.subscription.updated": "updated",
  "customer.subscription.deleted": "deleted",
};

async function apply(scope: BillingScope, event: Stripe.Event): Promise<void> {
  const at = new Date(event.created * 1000);
  const kind = SUBSCRIPTION_KINDS[event.type];
  if (kind) {
    await applySubscription(scope, event.data.object as Stripe.Subscription, at, kind);
    return;
  }
  switch (event.type) {
    case "checkout.session.completed":
      return checkoutCompleted(scope, event.data.object, at);
    case "invoice.paid":
    case "invoice.payment_failed":
      return invoiceOutcome(scope, event.data.object, at, event.type === "invoice.paid");
    default:
      // Events this app does not subscribe to are acknowledged, so Stripe stops sending them.
      return;
  }
}

/** A subscription's state from an event (or a fetch): stored if newest, then the plan follows. */
async function applySubscription(scope: BillingScope, sub: Stripe.Subscription, at: Date, kind: StateKind) {
  const state = stateOf(sub, priceTable(scope.env));
  if (!state) {
    scope.log.warn("billing.unknown_price", { subscriptionId: sub.id });
    return;
  }
  const userId = (await userOfCustomer(scope.db, state.customerId)) ?? (await userOfMetadata(scope, sub));
  if (!userId) {
    scope.log.warn("billing.unknown_customer", { subscriptionId: sub.id });
    return;
  }
  if (await recordState(scope.db, userId, state, at, kind)) await applyEntitledPlan(scope, userId);
}

/**
 * The user the checkout named (`metadata.userId`, set by this app), when their customer is not
 * linked yet: linked now, only if they have no customer of their own.
 */
async function userOfMetadata(scope: BillingScope, sub: Stripe.Subscription): Promise<string | null> {
  const userId = sub.metadata?.userId;
  const customerId = idOf(sub.customer);
  if (!userId || !customerId || !/^[0-9a-f-]{36}$/.test(userId)) return null;
  const [row] = await scope.db.$primary
    .select({ id: users.id, customer: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId));
  if (!row || (row.customer && row.customer !== customerId)) return null;
  if (!row.customer)
    await scope.db.update(users).set({ stripeCustomerId: customerId }).where(eq(users.id, userId));
  return row.id;
}

/**
 * A checkout paid: the upgrade takes effect at once from the subscription's own state, fetched
 * from Stripe (the `customer.subscription.created` event may come later, or earlier: whichever
 * is first applies it; the other finds nothing newer to do).
 */
async function checkoutCompleted(scope: BillingScope, session: Stripe.Checkout.Session, at: Date) {
  const subscriptionId = idOf(session.subscription);
  if (session.mode !== "subscription" || !subscriptionId) return;
  await fetchAndApply(scope, subscriptionId, at);
}

async function fetchAndApply(scope: BillingScope, subscriptionId: string, at: Date) {
  const stripe = stripeClient(scope.env);
  const sub = await callStripe(scope.log, "subscriptions.retrieve", () =>
    stripe.subscriptions.retrieve(subscriptionId),
  );
  await applySubscription(scope, sub, at, "created");
}

/** The subscription an invoice bills (`parent.subscription_details` since 2025; `subscription` before). */
function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription;
  return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(legacy);
}

/** A renewal paid or failed: the grace period ends or starts, and the plan follows. */
async function invoiceOutcome(scope: BillingScope, invoice: Stripe.Invoice, at: Date, paid: boolean) {
  const subscriptionId = subscriptionOfInvoice(invoice);
  const customerId = idOf(invoice.customer);
  if (!subscriptionId || !customerId) return;
  const userId = await userOfCustomer(scope.db, customerId);
  if (!userId) {
    scope.log.warn("billing.unknown_customer", { invoiceId: invoice.id });
    return;
  }
  // An invoice may arrive before its subscription's first event: its state comes from Stripe.
  const [known] = await scope.db.$primary
    .select({ id: billingSubscriptions.id })
    .from(billingSubscriptions)
    .where(eq(billingSubscriptions.id, subscriptionId));
  if (!known) await fetchAndApply(scope, subscriptionId, at);
  if (paid) {
    if (await settleGrace(scope.db, subscriptionId, at)) await applyEntitledPlan(scope, userId);
    return;
  }
  const graceEndsAt = await startGrace(scope.db, subscriptionId, at);
  if (!graceEndsAt) return;
  scope.log.info("billing.grace_started", { userId, subscriptionId, graceEndsAt });
  await notify(scope.env, { kind: "payment_failed", userId, graceEndsAt });
}
