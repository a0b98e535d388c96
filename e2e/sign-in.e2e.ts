import { describe, expect, inject, it } from "vitest";
import { DESKTOP, PHONE, screenshot, useBrowser, watchCsp } from "./browser";

const stack = { url: inject("appUrl") };
const browser = useBrowser();

for (const [device, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  describe(`a creator on a ${device}`, () => {
    it("signs in with Google, sees their uploads and account, and signs out", async () => {
      const page = await browser().newPage({ viewport });
      const cspViolations = await watchCsp(page);
      const landing = await page.goto(stack.url);
      // The SPA runs under its policy (the build's _headers), and breaks none of it on the tour.
      expect(landing?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(landing?.headers()["x-content-type-options"]).toBe("nosniff");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "A/B test your YouTube titles",
      );
      await screenshot(page, `${device}-landing`);

      await page.getByRole("link", { name: "Sign in with Google" }).click();
      // The emulator's consent page: pick the seeded demo creator.
      await page.getByText("creator@example.com").first().click();
      // Signed in, the app opens on the creator's tests.
      await page.waitForURL(`${stack.url}/dashboard`);
      await page.getByText("Active tests").waitFor();
      await page.getByRole("link", { name: "Videos" }).click();
      await page.getByRole("heading", { name: "Your videos" }).waitFor();
      await page.getByText("The 10-Minute Weeknight Pasta").waitFor();
      const cards = await page.locator("article, li").filter({ hasText: "views" }).count();
      expect(cards).toBeGreaterThanOrEqual(12);
      await screenshot(page, `${device}-videos`);

      // Each upload leads to the new-test wizard, which opens at the titles of that video.
      await page.getByRole("link", { name: "Test titles for The 10-Minute Weeknight Pasta" }).click();
      await page.getByRole("heading", { name: "Titles" }).waitFor();
      await page.getByText("(current title) The 10-Minute Weeknight Pasta").waitFor();

      await page.getByRole("link", { name: "Account" }).click();
      await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
      await page.getByText("Demo Kitchen Lab").waitFor();
      expect(await page.getByText("Plan: Free").count()).toBe(1);
      await screenshot(page, `${device}-account`);

      // The local stack makes the demo creator an admin (ADMIN_EMAILS): the ledger's page.
      await page.getByRole("link", { name: "Admin" }).click();
      await page.getByRole("heading", { level: 2, name: "Projects" }).waitFor();
      await page.getByText("local-1").first().waitFor();
      await page.getByRole("heading", { level: 2, name: "Open alerts" }).waitFor();
      await page.getByRole("heading", { level: 2, name: /Dead letters/ }).waitFor();
      await screenshot(page, `${device}-admin`);

      await page.getByRole("link", { name: "Account" }).click();
      await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.getByRole("link", { name: "Sign in with Google" }).waitFor();
      const me = await page.request.get(`${stack.url}/api/me`);
      expect(me.status()).toBe(401);
      expect(cspViolations).toEqual([]);
      await page.close();
    });
  });
}
