import { type Price, periodEnd, type StripeObject, type Subscription, stripeId, unixNow } from "./objects";
import type { ObjectStore } from "./store";
import { emitEvent } from "./webhooks";

/**
 * Stripe's test cards the hosted checkout takes: `4242…` pays every time; `4000 0000 0000 0341`
 * attaches and pays the first invoice, then fails every renewal (the stand-in's reading of
 * Stripe's "charges fail after attaching"). Any other number is declined.
 */
export const TEST_CARDS = { "4242424242424242": "ok", "4000000000000341": "fails_renewal" } as const;
export type CardBehaviour = (typeof TEST_CARDS)[keyof typeof TEST_CARDS];

/** Which behaviour a typed card number has (spaces ignored), or undefined when it is declined. */
export function cardBehaviour(number: string): CardBehaviour | undefined {
  return TEST_CARDS[number.replace(/\s+/g, "") as keyof typeof TEST_CARDS];
}

/** The context of a change: storage, the object store and now (ms). */
export interface Cycle {
  sql: SqlStorage;
  store: ObjectStore;
  nowMs: number;
}

function invoiceFor(c: Cycle, sub: Subscription, reason: string, paid: boolean): StripeObject {
  const item = sub.items.data[0] as Subscription["items"]["data"][number];
  const invoice: StripeObject = {
    id: stripeId("in"),
    object: "invoice",
    created: unixNow(c.nowMs),
    livemode: false,
    customer: sub.customer,
    status: paid ? "paid" : "open",
    billing_reason: reason,
    currency: "usd",
    amount_due: item.price.unit_amount,
    amount_paid: paid ? item.price.unit_amount : 0,
    attempt_count: 1,
    period_start: item.current_period_start,
    period_end: item.current_period_end,
    parent: {
      type: "subscription_details",
      subscription_details: { subscription: sub.id, metadata: sub.metadata },
    },
  };
  c.store.put(invoice);
  return invoice;
}

/** Creates an active subscription to `price` paid by `card`; emits created and invoice.paid. */
export function subscribe(
  c: Cycle,
  customer: string,
  price: Price,
  card: CardBehaviour,
  metadata: Record<string, string>,
): Subscription {
  const now = unixNow(c.nowMs);
  const id = stripeId("sub");
  const sub: Subscription = {
    id,
    object: "subscription",
    created: now,
    livemode: false,
    customer,
    status: "active",
    start_date: now,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    collection_method: "charge_automatically",
    currency: "usd",
    metadata,
    latest_invoice: null,
    items: {
      object: "list",
      data: [
        {
          id: stripeId("si"),
          object: "subscription_item",
          price,
          quantity: 1,
          subscription: id,
          current_period_start: now,
          current_period_end: periodEnd(now, price.recurring.interval),
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
  };
  c.sql.exec("INSERT INTO cards (subscription, card) VALUES (?, ?)", id, card);
  const invoice = invoiceFor(c, sub, "subscription_create", true);
  sub.latest_invoice = invoice.id;
  c.store.put(sub);
  emitEvent(c.sql, c.store, "customer.subscription.created", sub, c.nowMs);
  emitEvent(c.sql, c.store, "invoice.paid", invoice, c.nowMs);
  return sub;
}

function ended(c: Cycle, sub: Subscription): Subscription {
  const now = unixNow(c.nowMs);
  const done: Subscription = {
    ...sub,
    status: "canceled",
    canceled_at: sub.canceled_at ?? now,
    ended_at: now,
  };
  c.store.put(done);
  emitEvent(c.sql, c.store, "customer.subscription.deleted", done, c.nowMs);
  return done;
}

/**
 * The subscription reaches its renewal now: one set to cancel ends; otherwise the card is charged
 * for the next period — paid (a new period), or failed (`past_due`, invoice.payment_failed). A
 * renewal of a subscription already `past_due` is the last retry failing: it is canceled, as
 * Stripe does when every retry failed.
 */
export function renew(c: Cycle, sub: Subscription): Subscription {
  if (sub.cancel_at_period_end) return ended(c, sub);
  const card = c.sql
    .exec<{ card: string }>("SELECT card FROM cards WHERE subscription = ?", sub.id)
    .toArray()[0]?.card;
  const item = sub.items.data[0] as Subscription["items"]["data"][number];
  if (card === "fails_renewal") {
    if (sub.status === "past_due") {
      emitEvent(
        c.sql,
        c.store,
        "invoice.payment_failed",
        invoiceFor(c, sub, "subscription_cycle", false),
        c.nowMs,
      );
      return ended(c, sub);
    }
    const invoice = invoiceFor(c, sub, "subscription_cycle", false);
    const late: Subscription = { ...sub, status: "past_due", latest_invoice: invoice.id };
    c.store.put(late);
    emitEvent(c.sql, c.store, "invoice.payment_failed", invoice, c.nowMs);
    emitEvent(c.sql, c.store, "customer.subscription.updated", late, c.nowMs);
    return late;
  }
  const start = item.current_period_end;
  const next: Subscription = {
    ...sub,
    status: "active",
    items: {
      ...sub.items,
      data: [
        {
          ...item,
          current_period_start: start,
          current_period_end: periodEnd(start, item.price.recurring.interval),
        },
      ],
    },
  };
  const invoice = invoiceFor(c, next, "subscription_cycle", true);
  next.latest_invoice = invoice.id;
  c.store.put(next);
  emitEvent(c.sql, c.store, "invoice.paid", invoice, c.nowMs);
  emitEvent(c.sql, c.store, "customer.subscription.updated", next, c.nowMs);
  return next;
}

/** Changes what a subscription has: another price (at once), or cancellation at the period's end. */
export function update(
  c: Cycle,
  sub: Subscription,
  change: { price?: Price; cancelAtPeriodEnd?: boolean; metadata?: Record<string, string> },
): Subscription {
  const item = sub.items.data[0] as Subscription["items"]["data"][number];
  const next: Subscription = {
    ...sub,
    cancel_at_period_end: change.cancelAtPeriodEnd ?? sub.cancel_at_period_end,
    canceled_at: change.cancelAtPeriodEnd
      ? unixNow(c.nowMs)
      : change.cancelAtPeriodEnd === false
        ? null
        : sub.canceled_at,
    metadata: { ...sub.metadata, ...change.metadata },
    items: { ...sub.items, data: [{ ...item, price: change.price ?? item.price }] },
  };
  c.store.put(next);
  emitEvent(c.sql, c.store, "customer.subscription.updated", next, c.nowMs);
  return next;
}

/** Cancels a subscription at once (`DELETE /v1/subscriptions/:id`). */
export function cancelNow(c: Cycle, sub: Subscription): Subscription {
  return ended(c, sub);
}
