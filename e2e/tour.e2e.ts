import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { DESKTOP, onNewPage, PHONE, screenshot, signIn, useBrowser } from "./browser";
import { brokenImages, expectAccessible, fitsWidth, imageCount, tabTo, watchErrors } from "./checks";

const appUrl = inject("appUrl");
// A video no other browser test uses: this tour starts (and then stops) a test on it.
const VIDEO = "Why Your Bread Doesn't Rise";
const CHALLENGER = "The One Mistake That Keeps Your Bread Flat";

const browser = useBrowser();

/** One page of the tour: it loads its pictures, passes axe, fits the width, and is screenshotted. */
async function visit(page: Page, name: string): Promise<void> {
  expect(await brokenImages(page), `broken images on ${name}`).toEqual([]);
  await expectAccessible(page, name);
  expect(await fitsWidth(page), `${name} fits the width`).toBe(true);
  await screenshot(page, `tour-${name}`);
}

/** The account page, then the admin page, through the header's links. */
async function visitAccountAndAdmin(page: Page, device: string): Promise<void> {
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
  await visit(page, `${device}-account`);
  await page.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("heading", { level: 2, name: "Projects" }).waitFor();
  await visit(page, `${device}-admin`);
}

describe("a new creator's first ten minutes", () => {
  it(
    "at 1280 px: every page loads its pictures and passes axe, and a test starts by keyboard alone",
    () =>
      onNewPage(browser(), DESKTOP, "tour-failure", async (page) => {
        await page.goto(appUrl);
        await page.getByRole("heading", { name: "What a test shows you" }).waitFor();
        await visit(page, "desktop-landing");

        await signIn(page, appUrl);
        const errors = watchErrors(page);
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

        await visitAccountAndAdmin(page, "desktop");

        expect(errors).toEqual([]);
      }),
    240_000,
  );

  it(
    "at 375 px: the same pages load their pictures, pass axe and fit the width",
    () =>
      onNewPage(browser(), PHONE, "tour-phone-failure", async (page) => {
        await page.goto(appUrl);
        await page.getByRole("heading", { name: "What a test shows you" }).waitFor();
        await visit(page, "phone-landing");

        await signIn(page, appUrl);
        const errors = watchErrors(page);
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

        await visitAccountAndAdmin(page, "phone");

        expect(errors).toEqual([]);
      }),
    240_000,
  );
});
