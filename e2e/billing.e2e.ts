import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { DESKTOP, onNewPage, screenshot, useBrowser } from "./browser";

const appUrl = inject("appUrl");
const emulatorUrl = inject("emulatorUrl");
/** The emulator-only Stripe key of the local stack (wrangler.toml), to read the stand-in's state. */
const STRIPE_KEY = "sk_test_emulator_only_titletesterpro";

const browser = useBrowser();

/** An account of its own (not the demo creator the other files share), with a channel and three videos. */
async function newCreator(): Promise<{ email: string; videoIds: string[] }> {
  const admin = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${emulatorUrl}/__emulator${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
    return (await res.json()) as T;
  };
  const email = `billing-${Date.now()}@example.com`;
  await admin("/accounts", { email, name: "Billing Creator" });
  const channel = await admin<{ id: string }>("/channels", { account: email, title: "Billing Channel" });
  const videoIds: string[] = [];
  for (const title of ["Knife Sharpening 101", "Sourdough at Home", "Cast Iron Care"]) {
    videoIds.push(
      (await admin<{ id: string }>("/videos", { channelId: channel.id, title, categoryId: "26" })).id,
    );
  }
  return { email, videoIds };
}

/** The stand-in's API, as the app calls it. */
async function stripe<T>(path: string, method = "GET"): Promise<T> {
  const res = await fetch(`${emulatorUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${STRIPE_KEY}` },
  });
  expect(res.ok).toBe(true);
  return (await res.json()) as T;
}

/** The creator's live subscription in the stand-in. */
async function subscriptionOf(email: string): Promise<string> {
  const customers = await stripe<{ data: { id: string }[] }>(
    `/v1/customers?email=${encodeURIComponent(email)}`,
  );
  const subs = await stripe<{ data: { id: string }[] }>(
    `/v1/subscriptions?customer=${customers.data[0]?.id}`,
  );
  const id = subs.data[0]?.id;
  if (!id) throw new Error(`no live subscription for ${email}`);
  return id;
}

/** The emulator's admin call: the subscription reaches its renewal now (paid or failed per card). */
async function renew(subscriptionId: string): Promise<void> {
  const res = await fetch(`${emulatorUrl}/__emulator/stripe/subscriptions/${subscriptionId}/renew`, {
    method: "POST",
  });
  expect(res.ok).toBe(true);
}

/** Picks the creator on the emulator's consent page (the sign-in leg of any flow). */
async function consent(page: Page, email: string): Promise<void> {
  await page.getByText(email).first().click();
}

/** Reloads the account page until the billing panel says `text` (a webhook is on its way). */
async function accountSays(page: Page, text: string | RegExp): Promise<void> {
  let said = "";
  for (let i = 0; i < 30; i++) {
    await page.goto(`${appUrl}/account`);
    const state = page.getByTestId("billing-state");
    await state.waitFor();
    said = (await state.textContent()) ?? "";
    if (typeof text === "string" ? said.includes(text) : text.test(said)) return;
    await page.waitForTimeout(500);
  }
  // Whether the webhook was refused, is still being retried, or never left says where to look.
  const { deliveries } = await (await fetch(`${emulatorUrl}/__emulator/stripe/deliveries`)).json();
  throw new Error(
    `the billing panel never said ${text} (it said "${said}"); the latest webhook deliveries: ${JSON.stringify(
      deliveries.slice(-4),
    )}`,
  );
}

/** Pays the stand-in's hosted checkout with `card`, then waits on the success page for the webhook. */
async function payAndConfirm(page: Page, email: string, card: string, plan: string): Promise<void> {
  await page.getByLabel("Card number").waitFor();
  await page.getByLabel("Card number").fill(card);
  await page.getByRole("button", { name: "Subscribe" }).click();
  await page.waitForURL(/\/billing\/success\?session_id=cs_test_/);
  // The page waits for the webhook; the plan change it brings ends every session, so the page
  // either asks for a sign-in or (when its poll raced the change) confirms at once.
  const signInAgain = page.getByRole("link", { name: "Sign in again" });
  const confirmed = page.getByText(`Payment confirmed by Stripe: you're on ${plan}.`);
  await signInAgain.or(confirmed).waitFor();
  await page.goto(`${appUrl}/api/auth/google/start?returnTo=%2Fbilling%2Fsuccess`);
  await consent(page, email);
  await page.waitForURL(`${appUrl}/billing/success`);
  await confirmed.waitFor();
}

/** Starts a live hourly test on a video through the API, as the signed-in browser. */
async function startTest(page: Page, videoId: string, n: number): Promise<string> {
  const res = await page.request.post(`${appUrl}/api/tests`, {
    headers: { origin: appUrl },
    data: { videoId, titles: [`Better title ${n}`, `Bolder title ${n}`], intervalMinutes: 60 },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("a creator paying for a plan", () => {
  it(
    "upgrades through Stripe's checkout, cancels in the portal, and after a failed renewal goes through grace to Free with tests paused",
    () =>
      onNewPage(browser(), DESKTOP, "billing-failure", async (page) => {
        const { email, videoIds } = await newCreator();

        // 1. The landing page's Pro button signs in first, then opens the checkout.
        await page.goto(appUrl);
        await page.getByRole("link", { name: "Choose Pro" }).click();
        await consent(page, email);
        await page.waitForURL(/\/c\/pay\/cs_test_/);
        await screenshot(page, "billing-checkout");
        await payAndConfirm(page, email, "4242 4242 4242 4242", "Pro");
        await accountSays(page, "Renews on");
        expect(await page.getByText("Plan: Pro").count()).toBe(1);
        await screenshot(page, "billing-account-pro");

        // 2. The portal cancels at the period's end: still Pro until then.
        await page.getByRole("button", { name: "Manage billing" }).click();
        await page.getByRole("heading", { name: "Billing" }).waitFor();
        await page.getByRole("button", { name: "Cancel plan" }).click();
        await page.getByText(/^Cancels on/).waitFor();
        await page.getByRole("link", { name: "Return to TitleTesterPro" }).click();
        await accountSays(page, "Canceled: ends on");
        await screenshot(page, "billing-account-canceling");

        // The period ends: the subscription is deleted, the plan is Free (and the session ended).
        await renew(await subscriptionOf(email));
        await page.waitForTimeout(1000);
        await page.goto(`${appUrl}/api/auth/google/start?returnTo=%2Faccount`);
        await consent(page, email);
        await accountSays(page, "No subscription since");

        // 3. Pro again with a card that fails to renew; two live tests.
        await page.getByRole("button", { name: "Pro · $29/month" }).click();
        await page.waitForURL(/\/c\/pay\/cs_test_/);
        await payAndConfirm(page, email, "4000 0000 0000 0341", "Pro");
        const older = await startTest(page, videoIds[0] as string, 1);
        const newer = await startTest(page, videoIds[1] as string, 2);

        // The renewal fails: the plan stays for the grace period, and the account says so.
        const sub = await subscriptionOf(email);
        await renew(sub);
        await accountSays(page, "Payment failed");
        await page.getByRole("alert").filter({ hasText: "Your last payment failed" }).waitFor();
        expect(await page.getByText("Plan: Pro").count()).toBe(1);
        await screenshot(page, "billing-grace");

        // Stripe's last retry fails too: the subscription is canceled and the account is Free.
        await renew(sub);
        await page.waitForTimeout(1000);
        await page.goto(`${appUrl}/api/auth/google/start?returnTo=%2Faccount`);
        await consent(page, email);
        await accountSays(page, "No subscription since");
        expect(await page.getByText("Plan: Free").count()).toBe(1);
        await screenshot(page, "billing-free-after-failure");

        // Nothing was deleted: the newer test is paused, the older one goes on (Free runs one). The
        // webhook pauses after the plan changes, so the list may take a moment to show it.
        const statuses = async () => {
          const list = await page.request.get(`${appUrl}/api/tests`);
          const { items } = (await list.json()) as { items: { id: string; status: string }[] };
          return new Map(items.map((t) => [t.id, t.status]));
        };
        let seen = await statuses();
        for (let i = 0; i < 20 && seen.get(newer) !== "paused"; i++) {
          await page.waitForTimeout(500);
          seen = await statuses();
        }
        expect(seen.size).toBe(2);
        expect(seen.get(newer)).toBe("paused");
        expect(["scheduled", "running"]).toContain(seen.get(older));
      }),
    300_000,
  );
});
