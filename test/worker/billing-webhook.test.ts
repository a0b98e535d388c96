import { env } from "cloudflare:test";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { lapseExpiredGrace } from "../../worker/billing/sweep";
import { openDb } from "../../worker/db/client";
import { createLogger } from "../../worker/logging/logger";
import { signIn } from "./auth-fixtures";
import {
  deliver,
  event,
  invoice,
  linkCustomer,
  nowSeconds,
  planRow,
  signatureOf,
  subscription,
} from "./billing-fixtures";
import { addVideo, call, creator, expectJson, type TestCreator, type TestJson } from "./tests-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/**
 * Stripe's webhook: only a valid, fresh signature changes anything; each event applies once; the
 * newest state wins whatever the delivery order; a failed renewal keeps the plan for 7 days, then
 * Free; and a downgrade pauses (never deletes) the newest running tests beyond the plan's limit.
 */
const { db, close } = openDb(env);
afterAll(() => close());

const scope = { env, db, log: createLogger({ test: "billing-webhook" }) };

let who: TestCreator;
let customer: string;
const subId = () => `sub_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

beforeEach(async () => {
  who = await creator(db);
  customer = await linkCustomer(db, who.id);
});

async function stored(sub: string) {
  const [row] = await db
    .select()
    .from(schema.billingSubscriptions)
    .where(eq(schema.billingSubscriptions.id, sub));
  return row;
}

async function eventCount(id: string) {
  const [row] = await db
    .select({ n: count() })
    .from(schema.billingEvents)
    .where(eq(schema.billingEvents.id, id));
  return row?.n ?? 0;
}

/** Signs the creator in again: a plan change ends every session (so no session keeps the old plan). */
async function signInAgain(): Promise<void> {
  const [row] = await db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, who.id));
  who.session = (await signIn(row?.email ?? "")).session;
}

/** Starts `n` live hourly tests for the creator, one video each; answers their ids, oldest first. */
async function startTests(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const videoId = await addVideo(who, `Video ${i} ${crypto.randomUUID()}`);
    const res = await call(who, "POST", "/api/tests", {
      videoId,
      titles: [`Challenger ${i} A`, `Challenger ${i} B`],
      intervalMinutes: 60,
    });
    ids.push((await expectJson<TestJson>(res, 201)).id);
  }
  return ids;
}

/** The tests' statuses, in the order of `ids`. */
async function statuses(ids: string[]) {
  const rows = await db
    .select({ id: schema.tests.id, status: schema.tests.status })
    .from(schema.tests)
    .where(eq(schema.tests.userId, who.id));
  // A test just started is `scheduled` until its first step: both rotate.
  return ids.map((id) => {
    const status = rows.find((r) => r.id === id)?.status;
    return status === "scheduled" ? "running" : status;
  });
}

/** The queue's consumer mails the creator: how many mails to them have `subject` in theirs. */
async function mailsWith(who: TestCreator, subject: string): Promise<number> {
  const [user] = await db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, who.id));
  const { mails } = await emulatorAdmin<{ mails: { subject: string }[] }>(
    "GET",
    `/mail?to=${encodeURIComponent(user?.email ?? "")}`,
  );
  return mails.filter((m) => m.subject.includes(subject)).length;
}

const MAIL_WAIT = { timeout: 15_000, interval: 250 };

describe("webhook security", () => {
  it("answers 400 to a bad signature and changes nothing", async () => {
    const e = event("customer.subscription.created", subscription(subId(), customer));
    const payload = JSON.stringify(e);
    const res = await deliver(e, await signatureOf(payload, nowSeconds(), "whsec_not_the_secret"));
    expect(res.status).toBe(400);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
    expect(await stored(e.data.object.id)).toBeUndefined();
    expect(await eventCount(e.id)).toBe(0);
  });

  it("answers 400 to a signature over another body, or none at all", async () => {
    const e = event(
      "customer.subscription.created",
      subscription(subId(), customer, { price: "price_authority_monthly" }),
    );
    const other = await signatureOf(JSON.stringify({ ...e, id: "evt_other" }));
    expect((await deliver(e, other)).status).toBe(400);
    expect((await deliver(e, "")).status).toBe(400);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
  });

  it("answers 400 to a signature older than five minutes and changes nothing", async () => {
    const e = event("customer.subscription.created", subscription(subId(), customer));
    const stale = await signatureOf(JSON.stringify(e), nowSeconds() - 301);
    expect((await deliver(e, stale)).status).toBe(400);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
    expect(await eventCount(e.id)).toBe(0);
  });
});

describe("idempotency and ordering", () => {
  it("applies a replayed event once: the second delivery has no effect", async () => {
    const e = event("customer.subscription.created", subscription(subId(), customer));
    const first = await deliver(e);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const upgraded = await planRow(db, who.id);
    expect(upgraded).toMatchObject({ plan: "pro", planSource: "billing" });
    // Something else moves the plan meanwhile; the replay must not move it back.
    await db.update(schema.users).set({ plan: "free" }).where(eq(schema.users.id, who.id));
    const replay = await deliver(e);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free", version: upgraded?.version });
  });

  it("ends on the newest state when `updated` arrives before `created`", async () => {
    const id = subId();
    const t = nowSeconds();
    const created = event("customer.subscription.created", subscription(id, customer), t);
    const updated = event(
      "customer.subscription.updated",
      subscription(id, customer, { price: "price_authority_yearly" }),
      t + 5,
    );
    expect((await deliver(updated)).status).toBe(200);
    expect((await deliver(created)).status).toBe(200);
    expect(await stored(id)).toMatchObject({
      plan: "authority",
      interval: "year",
      stateAt: new Date((t + 5) * 1000),
    });
    expect(await planRow(db, who.id)).toMatchObject({ plan: "authority" });
  });

  it("keeps a deleted subscription deleted when an older `updated` comes late", async () => {
    const id = subId();
    const t = nowSeconds();
    await deliver(event("customer.subscription.created", subscription(id, customer), t));
    await deliver(
      event(
        "customer.subscription.deleted",
        subscription(id, customer, { status: "canceled", endedAt: t + 9 }),
        t + 9,
      ),
    );
    await deliver(
      event(
        "customer.subscription.updated",
        subscription(id, customer, { price: "price_authority_monthly" }),
        t + 4,
      ),
    );
    expect(await stored(id)).toMatchObject({ status: "canceled", plan: "pro" });
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
  });
});

describe("the life of a subscription", () => {
  it("keeps the plan for 7 days after a failed payment, then falls back to Free with tests paused, not deleted", async () => {
    const id = subId();
    await deliver(event("customer.subscription.created", subscription(id, customer), nowSeconds() - 60));
    await signInAgain();
    const tests = await startTests(3);
    const failedAt = nowSeconds();
    await deliver(event("invoice.payment_failed", invoice(id, customer), failedAt));
    const graceEnds = (failedAt + 7 * 86400) * 1000;

    // The plan holds during grace, and the API shows the grace period.
    const billing = await expectJson<{ state: string; graceEndsAt: string; plan: string }>(
      await call(who, "GET", "/api/billing"),
      200,
    );
    expect(billing).toMatchObject({
      state: "grace",
      plan: "pro",
      graceEndsAt: new Date(graceEnds).toISOString(),
    });
    const me = await expectJson<{ billing: { state: string } }>(await call(who, "GET", "/api/me"), 200);
    expect(me.billing.state).toBe("grace");

    // A replayed failure does not move the grace period's end.
    await deliver(event("invoice.payment_failed", invoice(id, customer), failedAt + 3600));
    expect((await stored(id))?.graceEndsAt?.getTime()).toBe(graceEnds);

    expect(await lapseExpiredGrace(scope, graceEnds - 60_000)).toBe(0);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "pro" });
    expect(await lapseExpiredGrace(scope, graceEnds + 60_000)).toBeGreaterThanOrEqual(1);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free", planSource: "billing" });
    expect(await statuses(tests)).toEqual(["running", "paused", "paused"]);
    // One "payment failed" mail (the replayed failure sent none), one per test the lapse paused.
    await expect.poll(() => mailsWith(who, "payment did not go through"), MAIL_WAIT).toBe(1);
    await expect.poll(() => mailsWith(who, "your plan changed"), MAIL_WAIT).toBe(2);
    const [left] = await db.select({ n: count() }).from(schema.tests).where(eq(schema.tests.userId, who.id));
    expect(left?.n).toBe(3);
  });

  it("ends the grace period when the invoice is paid, and stays paid past its end", async () => {
    const id = subId();
    const t = nowSeconds();
    await deliver(event("customer.subscription.created", subscription(id, customer), t - 60));
    await deliver(event("invoice.payment_failed", invoice(id, customer), t));
    await deliver(event("invoice.paid", invoice(id, customer), t + 60));
    expect(await stored(id)).toMatchObject({ graceEndsAt: null, paymentFailedAt: null });
    await lapseExpiredGrace(scope, (t + 8 * 86400) * 1000);
    expect(await planRow(db, who.id)).toMatchObject({ plan: "pro" });
  });

  it("pauses the newest running tests beyond the new plan's limit on a downgrade, and lets the creator choose", async () => {
    const id = subId();
    await deliver(
      event(
        "customer.subscription.created",
        subscription(id, customer, { price: "price_authority_monthly" }),
        nowSeconds() - 60,
      ),
    );
    await signInAgain();
    const tests = await startTests(3);
    await deliver(
      event(
        "customer.subscription.deleted",
        subscription(id, customer, { status: "canceled", endedAt: nowSeconds() }),
      ),
    );
    expect(await planRow(db, who.id)).toMatchObject({ plan: "free" });
    expect(await statuses(tests)).toEqual(["running", "paused", "paused"]);
    await expect.poll(() => mailsWith(who, "your plan changed"), MAIL_WAIT).toBe(2);

    // The creator keeps the newest instead: it resumes and the oldest is paused.
    await signInAgain();
    const kept = await expectJson<{ running: string[]; paused: string[] }>(
      await call(who, "POST", "/api/billing/keep", { testIds: [tests[2]] }),
      200,
    );
    expect(kept).toEqual({ running: [tests[2]], paused: [tests[0]] });
    expect(await statuses(tests)).toEqual(["paused", "paused", "running"]);
    const tooMany = await call(who, "POST", "/api/billing/keep", { testIds: tests.slice(0, 2) });
    expect(tooMany.status).toBe(400);
    expect(await statuses(tests)).toEqual(["paused", "paused", "running"]);
    // Resuming a paused test past the plan's limit is refused the same way, and changes nothing.
    const resumed = await call(who, "POST", `/api/tests/${tests[0]}/resume`);
    expect(resumed.status).toBe(409);
    expect(((await resumed.json()) as { error: { message: string } }).error.message).toContain(
      "1 test at once",
    );
    expect(await statuses(tests)).toEqual(["paused", "paused", "running"]);
  });

  it("leaves an admin's complimentary plan alone when the subscription ends", async () => {
    const id = subId();
    await db
      .update(schema.users)
      .set({ plan: "authority", planSource: "admin" })
      .where(eq(schema.users.id, who.id));
    await deliver(
      event(
        "customer.subscription.deleted",
        subscription(id, customer, { status: "canceled", endedAt: nowSeconds() }),
      ),
    );
    expect(await planRow(db, who.id)).toMatchObject({ plan: "authority", planSource: "admin" });
    const rows = await db
      .select({ n: count() })
      .from(schema.billingSubscriptions)
      .where(
        and(
          eq(schema.billingSubscriptions.userId, who.id),
          eq(schema.billingSubscriptions.status, "canceled"),
        ),
      );
    expect(rows[0]?.n).toBe(1);
  });
});
