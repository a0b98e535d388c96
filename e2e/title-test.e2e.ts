import type { Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, onNewPage, PHONE, screenshot, signIn, useBrowser, watchCsp } from "./browser";
import { fitsWidth } from "./checks";

const appUrl = inject("appUrl");
const emulatorUrl = inject("emulatorUrl");
// Not the video the sign-in test looks for: this one's title rotates while the test runs.
const VIDEO = "Cast Iron Myths, Tested";
const CHALLENGER = "7 Cast Iron Myths I Tested (Most Are Wrong)";

const browser = useBrowser();

beforeAll(async () => {
  // Simulated viewers at 60× speed, so each one-minute slot earns an hour's views.
  const res = await fetch(`${emulatorUrl}/__emulator/clock`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ speed: 60 }),
  });
  expect(res.ok).toBe(true);
});

describe("a creator testing a title", () => {
  it(
    "creates a test in the wizard, watches it rotate, pauses, resumes, keeps a title and signs out",
    () =>
      onNewPage(browser(), DESKTOP, "test-failure", async (page) => {
        const cspViolations = await watchCsp(page);
        await scenario(page);
        // The wizard, the charts (inline `style` props) and thumbnails run under the SPA's CSP.
        expect(cspViolations).toEqual([]);
      }),
    300_000,
  );
});

/** One creator's whole way through a test, screenshotting each page. */
async function scenario(page: Page): Promise<void> {
  await signIn(page, appUrl);
  await page.getByText("Active tests").waitFor();
  await screenshot(page, "test-dashboard-empty");

  // 1. The video, found through the search box.
  await page.getByRole("link", { name: "New test" }).click();
  await page.getByRole("heading", { name: "Pick a video" }).waitFor();
  await page.getByLabel("Search your loaded videos").fill("cast iron");
  await page.getByRole("button", { name: VIDEO }).click();

  // 2. Titles: the counter counts as typed, and a forbidden character is caught before sending.
  const title = page.getByLabel("Title B");
  await title.fill(`${CHALLENGER} <3`);
  await page.getByText("YouTube does not allow < or > in titles.").waitFor();
  await title.fill(CHALLENGER);
  await page.getByText(`${CHALLENGER.length}/100`).waitFor();
  await page.getByRole("figure", { name: `Preview: ${CHALLENGER}` }).waitFor();
  await screenshot(page, "test-wizard-titles");
  await page.getByRole("button", { name: "Next" }).click();

  // 3. Settings: the local stack allows 1-minute rotations.
  await page.getByLabel("1 minute", { exact: true }).check();
  // The plan for this video, two titles and that interval: how long +10/+20/+50 % take.
  const plan = page.locator(".test-plan");
  await plan.getByRole("heading", { name: "How long this test needs" }).waitFor();
  await plan.getByText(/This video gets about [\d,.]+ views a day/).waitFor({ timeout: 30_000 });
  expect(await plan.locator(".plan-effects li").allTextContents()).toEqual([
    expect.stringMatching(/^\+10 % more views is found in /),
    expect.stringMatching(/^\+20 % more views is found in /),
    expect.stringMatching(/^\+50 % more views is found in /),
  ]);
  await plan.getByText(/as if the title changed every 15 minutes/).waitFor();
  await screenshot(page, "test-wizard-settings");
  await page.getByRole("button", { name: "Next" }).click();

  // 4. Confirm and start.
  await page.getByRole("heading", { name: "Confirm" }).waitFor();
  await screenshot(page, "test-wizard-confirm");
  await page.getByRole("button", { name: "Start test" }).click();
  await page.waitForURL(/\/tests\/[0-9a-f-]{36}$/);
  await page.getByRole("heading", { name: "Verdict" }).waitFor();

  // A rotation: the first slot opens at the first 1-minute boundary, the second one a minute on.
  await page.getByRole("heading", { name: /Rotations \([2-9]\)/ }).waitFor({ timeout: 200_000 });
  expect(await page.locator(".timeline li").count()).toBeGreaterThanOrEqual(2);
  await page
    .getByText(/Rotated: title [AB] is live/)
    .first()
    .waitFor();
  // The chart of views per hour and the verdict in words.
  await page.locator("figure.chart").first().waitFor();
  const verdict = await page.locator(".verdict").textContent();
  expect(verdict).toMatch(/No clear difference yet|wins|Same|Inconclusive/);
  // What the test already rules out (after a few rounds), or that it is too early to say.
  expect(await page.locator(".knows").textContent()).toMatch(
    /^(Differences larger than ±\d+ % are ruled out so far\.|Too early to rule anything out)/,
  );
  // How the verdict is reached, in a creator's words, unfolded on request.
  await page.getByText("How we decide").click();
  await page.getByText(/fewer than 1 test in 20/).waitFor();
  await screenshot(page, "test-page-running");

  // Pause, then resume: the status follows at once (optimistically) and holds.
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator(".badge", { hasText: "Paused" }).waitFor();
  await page.getByRole("button", { name: "Resume" }).waitFor();
  await page.getByText("Paused by you.").waitFor({ timeout: 20_000 });
  await screenshot(page, "test-page-paused");
  await page.getByRole("button", { name: "Resume" }).click();
  await page.locator(".badge", { hasText: "Running" }).waitFor();
  await page.getByText("Resumed.").waitFor({ timeout: 20_000 });

  // Keep title B for good (no winner yet after two minutes, so the creator chooses).
  await page.getByRole("radio", { name: `B ${CHALLENGER}` }).check();
  await page.getByRole("button", { name: "Keep title B" }).click();
  await page.locator(".badge", { hasText: "Completed" }).waitFor({ timeout: 30_000 });
  await page.getByText("You chose to keep title B.").waitFor({ timeout: 20_000 });
  // The rotator then sets the title on YouTube; the page refreshes itself every 10 s.
  await page.getByRole("heading", { level: 1, name: CHALLENGER }).waitFor({ timeout: 60_000 });
  await screenshot(page, "test-page-completed");

  // The same pages on a 375-px phone: everything fits the width.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole("heading", { name: "Verdict" }).waitFor();
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "phone-test-page");
  await page.getByRole("link", { name: "Tests", exact: true }).click();
  await page.getByRole("link", { name: CHALLENGER }).waitFor();
  expect(await page.getByText("Completed").count()).toBeGreaterThanOrEqual(1);
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "phone-dashboard");

  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByRole("link", { name: "Sign in with Google" }).waitFor();
  expect((await page.request.get(`${appUrl}/api/me`)).status()).toBe(401);
}
