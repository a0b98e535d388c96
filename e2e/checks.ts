import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";

/**
 * Runs axe on the page as it is now and fails on any serious or critical violation, naming each
 * with the elements it found (`where` says which page and step).
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `axe on ${where}`).toEqual([]);
}

/**
 * Loads every `<img>` on the page (lazy ones too) and answers the sources of those that did not
 * load: a broken image has no natural width.
 */
export async function brokenImages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const images = Array.from(document.images);
    await Promise.all(
      images.map(async (img) => {
        img.loading = "eager";
        if (img.complete) return;
        await new Promise((done) => {
          img.addEventListener("load", done, { once: true });
          img.addEventListener("error", done, { once: true });
        });
      }),
    );
    return images.filter((img) => img.naturalWidth === 0).map((img) => img.currentSrc || img.src);
  });
}

/** How many images the page has (so a check of "every image loads" is not vacuous). */
export function imageCount(page: Page): Promise<number> {
  return page.evaluate(() => document.images.length);
}

/**
 * Presses Tab until `target` has the focus, as a keyboard user would reach it; fails if it is
 * not reached within `max` presses (unreachable by keyboard).
 */
export async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`not reachable with ${max} presses of Tab: ${target}`);
}

/** Collects the console errors and uncaught exceptions of a page from now on. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`page: ${err.message}`));
  return errors;
}

/** Whether the page fits its viewport's width (nothing to scroll sideways). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}
