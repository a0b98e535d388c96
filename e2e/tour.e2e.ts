import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, screenshot } from "./browser";
import { brokenImages, expectAccessible, fitsWidth, imageCount, tabTo, watchErrors } from "./checks";

const appUrl = inject("appUrl");
// A video no other browser test uses: this tour starts (and then stops) a test on it.
const VIDEO = "Why Your Bread Doesn't Rise";
const CHALLENGER = "The One Mistake That Keeps Your Bread Flat";

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** One page of the tour: it loads its pictures, passes axe, fits the width, and is screenshotted. */
async function visit(page: Page, name: string): Promise<void> {
  expect(await brokenImages(page), `broken images on ${name}`).toEqual([]);
  await expectAccessible(page, name);
  expect(await fitsWidth(page), `${name} fits the width`).toBe(true);
  await screenshot(page, `tour-${name}`);
}

/** Signs the demo creator in from the landing page; answers the errors seen from then on. */
async function signIn(page: Page): Promise<string[]> {
  await page.goto(appUrl);
  await page.getByRole("link", { name: "Sign in with Google" }).click();
  await page.getByText("creator@example.com").first().click();
  await page.waitForURL(`${appUrl}/dashboard`);
  return watchErrors(page);
}

describe("a new creator's first ten minutes", () => {
  it("at 1280 px: every page loads its pictures and passes axe, and a test starts by keyboard alone", async () => {
    // A context of its own: axe opens a page in it to assemble its results.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(appUrl);
      await page.getByRole("heading", { name: "What a test shows you" }).waitFor();
      await visit(page, "desktop-landing");

      const errors = await signIn(page);
      await page.getByText("Active tests").waitFor();
      await page.locator(".stat:not(.skeleton)").first().waitFor();
      await page.locator(".tests, .first-test").first().waitFor();
      await visit(page, "desktop-dashboard");

      await page.getByRole("link", { name: "Videos" }).click();
      await page.getByRole("heading", { name: "Your videos" }).waitFor();
      await page.getByText(VIDEO).waitFor();
      expect(await imageCount(page)).toBeGreaterThanOrEqual(12);
      await visit(page, "desktop-videos");
      // The header's avatar is one of them: the emulator serves it.
      expect(await page.locator("header img").count()).toBeGreaterThanOrEqual(1);

      // The wizard, by keyboard alone: no click from the dashboard to the started test.
      await page.goto(`${appUrl}/dashboard`);
      await tabTo(page, page.getByRole("link", { name: "New test" }));
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Pick a video" }).waitFor();
      await page.locator(".pick img").first().waitFor();
      await visit(page, "desktop-wizard-video");
      await tabTo(page, page.getByLabel("Search your loaded videos"));
      await page.keyboard.type("bread");
      await tabTo(page, page.getByRole("button", { name: VIDEO }));
      await page.keyboard.press("Enter");

      await tabTo(page, page.getByLabel("Title B"));
      await page.keyboard.type(CHALLENGER);
      const preview = page.getByRole("figure", { name: `Preview: ${CHALLENGER}` });
      await preview.waitFor();
      // Four layouts, each saying whether YouTube cuts the title there.
      expect(await preview.locator(".yt-layout-name").count()).toBe(4);
      await visit(page, "desktop-wizard-titles");
      await tabTo(page, page.getByRole("button", { name: "Next" }));
      await page.keyboard.press("Enter");

      await page.getByRole("heading", { name: "Settings" }).waitFor();
      await visit(page, "desktop-wizard-settings");
      await tabTo(page, page.getByRole("button", { name: "Next" }));
      await page.keyboard.press("Enter");

      await page.getByRole("heading", { name: "Confirm" }).waitFor();
      await visit(page, "desktop-wizard-confirm");
      await tabTo(page, page.getByRole("button", { name: "Start test" }));
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/tests\/[0-9a-f-]{36}$/);
      await page.getByRole("heading", { name: "Verdict" }).waitFor();
      await page.locator(".thumb img").first().waitFor();
      await visit(page, "desktop-test-page");

      // Stopped again by keyboard, so the Free plan's one active test is free for the other files.
      await tabTo(page, page.getByRole("button", { name: "Stop", exact: true }), 120);
      await page.keyboard.press("Enter");
      await page.locator(".badge", { hasText: "Stopped" }).waitFor({ timeout: 30_000 });

      await page.getByRole("link", { name: "Account" }).click();
      await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
      await visit(page, "desktop-account");
      await page.getByRole("link", { name: "Admin" }).click();
      await page.getByRole("heading", { level: 2, name: "Projects" }).waitFor();
      await visit(page, "desktop-admin");

      expect(errors).toEqual([]);
    } catch (err) {
      await screenshot(page, "tour-failure").catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);

  it("at 375 px: the same pages load their pictures, pass axe and fit the width", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    try {
      await page.goto(appUrl);
      await page.getByRole("heading", { name: "What a test shows you" }).waitFor();
      await visit(page, "phone-landing");

      const errors = await signIn(page);
      await page.locator(".stat:not(.skeleton)").first().waitFor();
      await page.locator(".tests, .first-test").first().waitFor();
      await visit(page, "phone-dashboard");

      await page.goto(`${appUrl}/tests/new`);
      await page.getByRole("heading", { name: "Pick a video" }).waitFor();
      await page.locator(".pick img").first().waitFor();
      await visit(page, "phone-wizard-video");
      await page.getByLabel("Search your loaded videos").fill("bread");
      await page.getByRole("button", { name: VIDEO }).click();
      await page.getByLabel("Title B").fill(CHALLENGER);
      await page.getByRole("figure", { name: `Preview: ${CHALLENGER}` }).waitFor();
      await visit(page, "phone-wizard-titles");
      await page.getByRole("button", { name: "Next" }).click();
      await page.getByRole("button", { name: "Next" }).waitFor();
      await visit(page, "phone-wizard-settings");
      await page.getByRole("button", { name: "Next" }).click();
      await page.getByRole("heading", { name: "Confirm" }).waitFor();
      await visit(page, "phone-wizard-confirm");

      // The test the desktop pass started (and stopped) on this video: its page.
      await page.goto(`${appUrl}/dashboard`);
      await page.locator(".test-row").filter({ hasText: /Bread/ }).first().getByRole("link").click();
      await page.getByRole("heading", { name: "Verdict" }).waitFor();
      await visit(page, "phone-test-page");

      await page.goto(`${appUrl}/account`);
      await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
      await visit(page, "phone-account");
      await page.goto(`${appUrl}/admin`);
      await page.getByRole("heading", { level: 2, name: "Projects" }).waitFor();
      await visit(page, "phone-admin");

      expect(errors).toEqual([]);
    } catch (err) {
      await screenshot(page, "tour-phone-failure").catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});
