import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import * as schema from "../../schema";
import type { Db } from "../../worker/db/client";
import { APP } from "./auth-fixtures";

/**
 * Fixtures of the billing suites: Stripe events signed as Stripe signs them (the official
 * package's test header), the app's webhook, and the Stripe stand-in the suites' emulator runs.
 */

const SECRET = env.STRIPE_WEBHOOK_SECRET ?? "";
const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** Seconds since the epoch, Stripe's time. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A `Stripe-Signature` for `payload`, signed at `timestamp` (seconds) with `secret`. */
export function signatureOf(payload: string, timestamp = nowSeconds(), secret = SECRET): Promise<string> {
  return Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    timestamp,
    cryptoProvider,
  });
}

/** POSTs an event to the webhook as Stripe would: no cookie, no Origin, a signature. */
export async function deliver(event: object, signature?: string): Promise<Response> {
  const payload = JSON.stringify(event);
  return SELF.fetch(`${APP}/api/billing/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "stripe-signature": signature ?? (await signatureOf(payload)),
    },
    body: payload,
  });
}

/** A Stripe event of `type` about `object`, created at `created` (seconds). */
export function event<T extends object>(type: string, object: T, created = nowSeconds()) {
  return {
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    type,
    created,
    data: { object },
  };
}

/** A subscription as Stripe's events carry it (the fields the app reads). */
export function subscription(
  id: string,
  customer: string,
  fields: { price?: string; status?: string; cancelAtPeriodEnd?: boolean; endedAt?: number | null } = {},
) {
  return {
    id,
    object: "subscription",
    customer,
    status: fields.status ?? "active",
    cancel_at_period_end: fields.cancelAtPeriodEnd ?? false,
    canceled_at: fields.endedAt ?? null,
    ended_at: fields.endedAt ?? null,
    metadata: {},
    items: {
      object: "list",
      data: [
        {
          id: "si_1",
          price: { id: fields.price ?? "price_pro_monthly" },
          current_period_end: nowSeconds() + 30 * 86400,
        },
      ],
    },
  };
}

/** An invoice of `sub` (API 2025+: the subscription under `parent.subscription_details`). */
export function invoice(sub: string, customer: string) {
  return {
    id: `in_${crypto.randomUUID().slice(0, 8)}`,
    object: "invoice",
    customer,
    parent: { type: "subscription_details", subscription_details: { subscription: sub } },
  };
}

/** Links a Stripe customer id to a user, as their first checkout does. */
export async function linkCustomer(db: Db, userId: string): Promise<string> {
  const customer = `cus_test${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await db.update(schema.users).set({ stripeCustomerId: customer }).where(eq(schema.users.id, userId));
  return customer;
}

/** A user's plan and where it came from, straight from Postgres. */
export async function planRow(db: Db, userId: string) {
  const [row] = await db
    .select({
      plan: schema.users.plan,
      planSource: schema.users.planSource,
      version: schema.users.sessionVersion,
    })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  return row;
}

const STAND_IN = env.STRIPE_API_URL ?? "";

/** Calls the Stripe stand-in's API with the app's key. */
export async function standIn<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${STAND_IN}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${env.STRIPE_SECRET_KEY}`,
      ...(init.headers as Record<string, string>),
    },
  });
  if (!res.ok) throw new Error(`stand-in ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Pays a checkout on the stand-in's hosted page; answers where it sends the browser. */
export async function payCheckout(url: string, card: string): Promise<string | null> {
  const res = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ card }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
  return res.headers.get("location");
}

/**
 * Forwards the stand-in's events about `customer` to the app's webhook, oldest first, signed as
 * the stand-in would (its own delivery cannot reach a Worker that lives inside the test runner).
 */
export async function forwardEvents(customer: string): Promise<string[]> {
  const list = await standIn<{ data: { type: string; data: { object: { customer?: string } } }[] }>(
    "/v1/events?limit=100",
  );
  const mine = list.data.filter((e) => e.data.object.customer === customer).reverse();
  for (const e of mine) {
    const res = await deliver(e);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  }
  return mine.map((e) => e.type);
}
