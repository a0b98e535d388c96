/** Stripe's object shapes, as the stand-in stores and answers them (only the fields the app reads, and the ones every object has). */

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A Stripe id: a prefix and 24 random letters and digits (`cus_…`, `sub_…`, `cs_test_…`). */
export function stripeId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}_${Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join("")}`;
}

/** Seconds since the epoch, Stripe's time unit. */
export const unixNow = (nowMs = Date.now()) => Math.floor(nowMs / 1000);

/** What every stored object has. */
export interface StripeObject {
  id: string;
  object: string;
  created: number;
  livemode: false;
  [field: string]: unknown;
}

export interface Price extends StripeObject {
  object: "price";
  product: string;
  unit_amount: number;
  currency: "usd";
  lookup_key: string;
  recurring: { interval: "month" | "year"; interval_count: 1; usage_type: "licensed" };
}

export interface Subscription extends StripeObject {
  object: "subscription";
  customer: string;
  status: "active" | "past_due" | "canceled";
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  ended_at: number | null;
  metadata: Record<string, string>;
  latest_invoice: string | null;
  items: { object: "list"; data: SubscriptionItem[]; has_more: false; url: string };
}

export interface SubscriptionItem {
  id: string;
  object: "subscription_item";
  price: Price;
  quantity: 1;
  subscription: string;
  current_period_start: number;
  current_period_end: number;
}

/**
 * The prices the stand-in starts with, under fixed ids (the app's local `STRIPE_PRICES` names
 * them): Pro $29 a month or $290 a year, Authority $99 or $990.
 */
export function seededPrices(created: number): Price[] {
  const price = (plan: string, interval: "month" | "year", cents: number): Price => ({
    id: `price_${plan}_${interval}ly`,
    object: "price",
    active: true,
    product: `prod_${plan}`,
    nickname: `${plan === "pro" ? "Pro" : "Authority"} (${interval}ly)`,
    unit_amount: cents,
    currency: "usd",
    type: "recurring",
    lookup_key: `${plan}_${interval}ly`,
    recurring: { interval, interval_count: 1, usage_type: "licensed" },
    metadata: {},
    created,
    livemode: false,
  });
  return [
    price("pro", "month", 2900),
    price("pro", "year", 29000),
    price("authority", "month", 9900),
    price("authority", "year", 99000),
  ];
}

/** The end of a billing period that starts at `start` (calendar months, as Stripe bills). */
export function periodEnd(start: number, interval: "month" | "year"): number {
  const d = new Date(start * 1000);
  if (interval === "month") d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return unixNow(d.getTime());
}
