import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { APP, signIn } from "./auth-fixtures";
import { forwardEvents, payCheckout, planRow, standIn } from "./billing-fixtures";
import { call, creator, type ErrorJson, expectJson, type TestCreator } from "./tests-fixtures";

/**
 * The billing API against the Stripe stand-in: checkout (one customer per creator, reused), the
 * portal, and `GET /api/billing` before and after a subscription paid through the hosted page.
 */
const { db, close } = openDb(env);
afterAll(() => close());

interface BillingJson {
  plan: string;
  state: string;
  subscriptionStatus: string | null;
  interval: string | null;
  renewsAt: string | null;
  endsAt: string | null;
  graceEndsAt: string | null;
  hasBillingAccount: boolean;
}

let who: TestCreator;

beforeEach(async () => {
  who = await creator(db);
});

async function customerOf(userId: string) {
  const [row] = await db
    .select({ customer: schema.users.stripeCustomerId, email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  return row;
}

describe("checkout", () => {
  it("creates the creator's Stripe customer once and reuses it", async () => {
    const first = await expectJson<{ url: string }>(
      await call(who, "POST", "/api/billing/checkout", { plan: "pro", interval: "month" }),
      200,
    );
    expect(first.url).toMatch(new RegExp(`^${env.STRIPE_API_URL}/c/pay/cs_test_[A-Za-z0-9]+$`));
    const { customer, email } = (await customerOf(who.id)) ?? {};
    expect(customer).toMatch(/^cus_/);
    const second = await expectJson<{ url: string }>(
      await call(who, "POST", "/api/billing/checkout", { plan: "authority", interval: "year" }),
      200,
    );
    expect(second.url).not.toBe(first.url);
    expect((await customerOf(who.id))?.customer).toBe(customer);
    const inStripe = await standIn<{ data: { id: string }[] }>(
      `/v1/customers?email=${encodeURIComponent(email ?? "")}`,
    );
    expect(inStripe.data.map((c) => c.id)).toEqual([customer]);
  });

  it("answers 400 to an unknown plan or interval and creates nothing", async () => {
    for (const body of [
      { plan: "free", interval: "month" },
      { plan: "platinum", interval: "month" },
      { plan: "pro", interval: "week" },
      { plan: "pro" },
    ]) {
      const res = await call(who, "POST", "/api/billing/checkout", body);
      expect(res.status).toBe(400);
      expect((await res.json<ErrorJson>()).error.code).toBe("validation_failed");
    }
    expect((await customerOf(who.id))?.customer).toBeNull();
  });

  it("refuses a checkout without a session, or from another site", async () => {
    const anonymous = await SELF.fetch(`${APP}/api/billing/checkout`, {
      method: "POST",
      body: JSON.stringify({ plan: "pro", interval: "month" }),
      headers: { "content-type": "application/json", origin: APP },
    });
    expect(anonymous.status).toBe(401);
    const crossSite = await SELF.fetch(`${APP}/api/billing/checkout`, {
      method: "POST",
      body: JSON.stringify({ plan: "pro", interval: "month" }),
      headers: { "content-type": "application/json", origin: "https://evil.test", cookie: who.session },
    });
    expect(crossSite.status).toBe(403);
    expect((await customerOf(who.id))?.customer).toBeNull();
  });

  it("refuses to sell over an admin's complimentary plan", async () => {
    await db
      .update(schema.users)
      .set({ plan: "pro", planSource: "admin" })
      .where(eq(schema.users.id, who.id));
    who.session = (await signIn((await customerOf(who.id))?.email ?? "")).session;
    const res = await call(who, "POST", "/api/billing/checkout", { plan: "authority", interval: "month" });
    expect(res.status).toBe(409);
    expect((await expectJson<BillingJson>(await call(who, "GET", "/api/billing"), 200)).state).toBe(
      "complimentary",
    );
  });
});

describe("portal", () => {
  it("answers 409 with a clear message before the creator has a billing account", async () => {
    const res = await call(who, "POST", "/api/billing/portal");
    expect(res.status).toBe(409);
    expect((await res.json<ErrorJson>()).error.message).toMatch(/no billing account/i);
  });

  it("opens the portal once the creator has a customer", async () => {
    await call(who, "POST", "/api/billing/checkout", { plan: "pro", interval: "month" });
    const portal = await expectJson<{ url: string }>(await call(who, "POST", "/api/billing/portal"), 200);
    expect(portal.url).toMatch(new RegExp(`^${env.STRIPE_API_URL}/p/session/bps_`));
  });
});

describe("GET /api/billing", () => {
  it("shows Free without a subscription", async () => {
    expect(await expectJson<BillingJson>(await call(who, "GET", "/api/billing"), 200)).toEqual({
      plan: "free",
      state: "free",
      subscriptionStatus: null,
      interval: null,
      renewsAt: null,
      endsAt: null,
      graceEndsAt: null,
      hasBillingAccount: false,
    });
  });

  it("shows an active plan and its renewal once Stripe's events have landed (never the redirect alone)", async () => {
    const { url } = await expectJson<{ url: string }>(
      await call(who, "POST", "/api/billing/checkout", { plan: "pro", interval: "year" }),
      200,
    );
    const next = await payCheckout(url, "4242 4242 4242 4242");
    expect(next).toMatch(/\/billing\/success\?session_id=cs_test_/);
    // The redirect came back, but no event has reached the app yet: nothing changed.
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
    const customer = (await customerOf(who.id))?.customer ?? "";
    expect(await forwardEvents(customer)).toEqual([
      "customer.subscription.created",
      "invoice.paid",
      "checkout.session.completed",
    ]);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "pro", planSource: "billing" });
    // The plan change ended the old session.
    expect((await call(who, "GET", "/api/billing")).status).toBe(401);
    who.session = (await signIn((await customerOf(who.id))?.email ?? "")).session;
    const billing = await expectJson<BillingJson>(await call(who, "GET", "/api/billing"), 200);
    expect(billing).toMatchObject({
      plan: "pro",
      state: "active",
      subscriptionStatus: "active",
      interval: "year",
    });
    expect(Date.parse(billing.renewsAt ?? "")).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    // A second checkout is refused: plan changes go through the portal.
    expect(
      (await call(who, "POST", "/api/billing/checkout", { plan: "authority", interval: "month" })).status,
    ).toBe(409);
  });

  it("cancels the subscription in Stripe when the creator deletes their account", async () => {
    const { url } = await expectJson<{ url: string }>(
      await call(who, "POST", "/api/billing/checkout", { plan: "authority", interval: "month" }),
      200,
    );
    await payCheckout(url, "4242424242424242");
    const { customer, email } = (await customerOf(who.id)) ?? {};
    await forwardEvents(customer ?? "");
    who.session = (await signIn(email ?? "")).session;
    const subs = () =>
      standIn<{ data: { id: string; status: string }[] }>(
        `/v1/subscriptions?customer=${customer}&status=all`,
      );
    expect((await subs()).data.map((s) => s.status)).toEqual(["active"]);
    expect((await call(who, "DELETE", "/api/me")).status).toBe(204);
    expect((await subs()).data.map((s) => s.status)).toEqual(["canceled"]);
  });

  it("answers 401 without a session", async () => {
    expect((await SELF.fetch(`${APP}/api/billing`)).status).toBe(401);
  });
});
