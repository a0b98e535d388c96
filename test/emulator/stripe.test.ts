import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { EmulatorEnv } from "../../emulator/env";
import { signPayload } from "../../emulator/stripe/webhooks";

/**
 * The Stripe stand-in's contract, driven through the official `stripe` package (fetch client over
 * the emulator's own Worker), so its paths, form bodies and object shapes are the ones the app's
 * client really sends and reads.
 */

const KEY = "sk_test_emulator_only_titletesterpro";
const SECRET = "whsec_emulator_only_titletesterpro";
const ORIGIN = "http://emulator.test";

function client(key = KEY): Stripe {
  return new Stripe(key, {
    host: "emulator.test",
    port: 80,
    protocol: "http",
    httpClient: Stripe.createFetchHttpClient((input, init) => SELF.fetch(input as string, init)),
    maxNetworkRetries: 0,
  });
}

/** Pays a checkout session on the hosted page with `card`; answers the redirect's location. */
async function pay(url: string, card: string): Promise<Response> {
  return SELF.fetch(url, {
    method: "POST",
    body: new URLSearchParams({ card }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
}

async function checkout(stripe: Stripe, card: string, price = "price_pro_monthly") {
  const customer = await stripe.customers.create({ email: `c${crypto.randomUUID()}@example.com` });
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer: customer.id,
    line_items: [{ price, quantity: 1 }],
    subscription_data: { metadata: { userId: "u-1" } },
    success_url: "http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://app.test/account",
  });
  const paid = await pay(session.url as string, card);
  return { customer, session, paid };
}

const eventsOf = async (stripe: Stripe, customer: string) =>
  (await stripe.events.list({ limit: 100 })).data
    .filter((e) => (e.data.object as { customer?: string }).customer === customer)
    .reverse();

describe("Stripe stand-in: API", () => {
  it("creates customers with Stripe's shape and refuses a wrong key with Stripe's 401", async () => {
    const customer = await client().customers.create({ email: "a@example.com", metadata: { userId: "u" } });
    expect(customer).toMatchObject({ object: "customer", email: "a@example.com", metadata: { userId: "u" } });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{24}$/);
    expect((await client().customers.retrieve(customer.id)).id).toBe(customer.id);
    const refused = await client("sk_test_wrong_key_1234")
      .customers.create({})
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((refused as Stripe.errors.StripeError).statusCode).toBe(401);
  });

  it("answers an unknown object with 404 resource_missing in Stripe's error envelope", async () => {
    const res = await SELF.fetch(`${ORIGIN}/v1/subscriptions/sub_nope`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        type: "invalid_request_error",
        message: "No such subscription: 'sub_nope'",
        param: "id",
        code: "resource_missing",
      },
    });
  });

  it("refuses a checkout without line items with 400 parameter_missing", async () => {
    const err = await client()
      .checkout.sessions.create({ mode: "subscription", success_url: "http://app.test/ok" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: "parameter_missing", param: "line_items" });
  });

  it("lists the seeded prices in a list envelope, by lookup key", async () => {
    const list = await client().prices.list({ lookup_keys: ["authority_yearly"] });
    expect(list).toMatchObject({ object: "list", has_more: false, url: "/v1/prices" });
    expect(list.data.map((p) => [p.id, p.unit_amount, p.recurring?.interval])).toEqual([
      ["price_authority_yearly", 99000, "year"],
    ]);
  });

  it("replays a repeated Idempotency-Key with the first answer", async () => {
    const key = crypto.randomUUID();
    const first = await client().customers.create({ email: "i@example.com" }, { idempotencyKey: key });
    const second = await client().customers.create({ email: "i@example.com" }, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
  });
});

describe("Stripe stand-in: hosted checkout and the life of a subscription", () => {
  it("subscribes with 4242…, redirects to success_url and records the events in order", async () => {
    const stripe = client();
    const { customer, session, paid } = await checkout(stripe, "4242 4242 4242 4242");
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`http://app.test/billing/success?session_id=${session.id}`);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: "complete", payment_status: "paid" });
    const sub = await stripe.subscriptions.retrieve(done.subscription as string);
    expect(sub).toMatchObject({
      object: "subscription",
      status: "active",
      customer: customer.id,
      metadata: { userId: "u-1" },
    });
    expect(sub.items.data[0]?.price.id).toBe("price_pro_monthly");
    expect((await eventsOf(stripe, customer.id)).map((e) => e.type)).toEqual([
      "customer.subscription.created",
      "invoice.paid",
      "checkout.session.completed",
    ]);
  });

  it("declines another card on the page and creates nothing", async () => {
    const stripe = client();
    const { customer, paid } = await checkout(stripe, "4000 0000 0000 0002");
    expect(paid.status).toBe(402);
    expect(await paid.text()).toContain("declined");
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
  });

  it("renews a 4242 subscription paid, and a 0341 one past_due then canceled", async () => {
    const stripe = client();
    const good = await checkout(stripe, "4242424242424242");
    const goodSub = (await stripe.checkout.sessions.retrieve(good.session.id)).subscription as string;
    const before = (await stripe.subscriptions.retrieve(goodSub)).items.data[0]?.current_period_end ?? 0;
    const renewed = await SELF.fetch(`${ORIGIN}/__emulator/stripe/subscriptions/${goodSub}/renew`, {
      method: "POST",
    });
    const after = ((await renewed.json()) as Stripe.Subscription).items.data[0]?.current_period_end ?? 0;
    expect(after).toBeGreaterThan(before);

    const bad = await checkout(stripe, "4000000000000341");
    const badSub = (await stripe.checkout.sessions.retrieve(bad.session.id)).subscription as string;
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/subscriptions/${badSub}/renew`, { method: "POST" });
    expect((await stripe.subscriptions.retrieve(badSub)).status).toBe("past_due");
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/subscriptions/${badSub}/renew`, { method: "POST" });
    const ended = await stripe.subscriptions.retrieve(badSub);
    expect(ended.status).toBe("canceled");
    expect(ended.ended_at).not.toBeNull();
    const events = await eventsOf(stripe, bad.customer.id);
    // Renewed at once, yet in a later second than the payment it follows, as a period later.
    const paidAt = events.find((e) => e.type === "invoice.paid")?.created ?? Number.POSITIVE_INFINITY;
    const failedAt = events.find((e) => e.type === "invoice.payment_failed")?.created ?? 0;
    expect(failedAt).toBeGreaterThan(paidAt);
    const types = events.map((e) => e.type);
    expect(types.slice(3)).toEqual([
      "invoice.payment_failed",
      "customer.subscription.updated",
      "invoice.payment_failed",
      "customer.subscription.deleted",
    ]);
  });

  it("lets the portal switch the plan and cancel at the period's end", async () => {
    const stripe = client();
    const { customer, session } = await checkout(stripe, "4242424242424242");
    const subId = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: "http://app.test/account",
    });
    expect(portal.url).toBe(`${ORIGIN}/p/session/${portal.id}`);
    expect(await (await SELF.fetch(portal.url)).text()).toContain("Switch to Authority (monthly)");
    const form = (fields: Record<string, string>) =>
      SELF.fetch(portal.url, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
    expect((await form({ action: "switch", price: "price_authority_monthly" })).status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subId)).items.data[0]?.price.id).toBe(
      "price_authority_monthly",
    );
    await form({ action: "cancel" });
    expect((await stripe.subscriptions.retrieve(subId)).cancel_at_period_end).toBe(true);
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/subscriptions/${subId}/renew`, { method: "POST" });
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe("canceled");
  });
});

describe("Stripe stand-in: webhooks", () => {
  it("signs payloads so that the official stripe verifier accepts them", async () => {
    const payload = JSON.stringify({
      id: "evt_1",
      object: "event",
      type: "invoice.paid",
      data: { object: {} },
    });
    const header = await signPayload(SECRET, payload, Math.floor(Date.now() / 1000));
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = await Stripe.webhooks.constructEventAsync(
      payload,
      header,
      SECRET,
      300,
      Stripe.createSubtleCryptoProvider(),
    );
    expect(event.id).toBe("evt_1");
    await expect(
      Stripe.webhooks.constructEventAsync(
        payload,
        header,
        "whsec_other",
        300,
        Stripe.createSubtleCryptoProvider(),
      ),
    ).rejects.toThrow();
  });

  it("retries a failing delivery with growing backoff, in the order events were emitted", async () => {
    const stub = (env as unknown as EmulatorEnv).STRIPE.get(
      (env as unknown as EmulatorEnv).STRIPE.idFromName("stripe"),
    );
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/reset`, { method: "POST" });
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/webhook`, {
      method: "PUT",
      body: JSON.stringify({ url: "http://127.0.0.1:9/unreachable" }),
      headers: { "content-type": "application/json" },
    });
    const stripe = client();
    const { customer } = await checkout(stripe, "4242424242424242");
    await runDurableObjectAlarm(stub);
    const read = async () =>
      (
        (await (await SELF.fetch(`${ORIGIN}/__emulator/stripe/deliveries`)).json()) as {
          deliveries: { eventId: string; attempts: number; state: string }[];
        }
      ).deliveries;
    const first = await read();
    const emitted = (await eventsOf(stripe, customer.id)).map((e) => e.id);
    expect(first.map((d) => d.eventId)).toEqual(emitted);
    expect(first.every((d) => d.attempts === 1 && d.state === "pending")).toBe(true);
    // The next attempt is not due yet (backoff): a second run of the alarm sends nothing.
    await runDurableObjectAlarm(stub);
    expect((await read()).every((d) => d.attempts === 1)).toBe(true);
    await SELF.fetch(`${ORIGIN}/__emulator/stripe/webhook`, {
      method: "PUT",
      body: JSON.stringify({ url: null }),
      headers: { "content-type": "application/json" },
    });
  });
});
