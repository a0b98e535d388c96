import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../scripts/ports";
import { type LocalStack, startStack } from "../scripts/stack";
import { launchChromium, screenshot } from "./browser";

let stack: LocalStack;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ttp-e2e-"));
  stack = await startStack({ appPort: await freePort(), emulatorPort: await freePort(), dataDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

for (const [device, viewport] of [
  ["desktop", { width: 1280, height: 900 }],
  ["phone", { width: 375, height: 812 }],
] as const) {
  describe(`a creator on a ${device}`, () => {
    it("signs in with Google, sees their uploads and account, and signs out", async () => {
      const page = await browser.newPage({ viewport });
      await page.goto(stack.url);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "A/B test your YouTube titles",
      );
      await screenshot(page, `${device}-landing`);

      await page.getByRole("link", { name: "Sign in with Google" }).click();
      // The emulator's consent page: pick the seeded demo creator.
      await page.getByText("creator@example.com").first().click();
      await page.waitForURL(`${stack.url}/videos`);
      await page.getByText("The 10-Minute Weeknight Pasta").waitFor();
      const cards = await page.locator("article, li").filter({ hasText: "views" }).count();
      expect(cards).toBeGreaterThanOrEqual(12);
      await screenshot(page, `${device}-videos`);

      await page.getByRole("link", { name: "Account" }).click();
      await page.getByText("Demo Kitchen Lab").waitFor();
      expect(await page.getByText("Plan: Free").count()).toBe(1);
      await screenshot(page, `${device}-account`);

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.getByRole("link", { name: "Sign in with Google" }).waitFor();
      const me = await page.request.get(`${stack.url}/api/me`);
      expect(me.status()).toBe(401);
      await page.close();
    });
  });
}
