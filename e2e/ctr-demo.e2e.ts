import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CtrDemoOutcome, PLANTED_BEST, runCtrDemo } from "../scripts/demo-ctr";
import { freePort } from "../scripts/ports";
import { type LocalStack, startStack } from "../scripts/stack";
import { ARTIFACTS, DESKTOP, onNewPage, screenshot, signIn, useBrowser } from "./browser";

/**
 * `npm run demo:ctr` against a whole local stack: its driver (the emulator's clock jumped to
 * each step, the reach fetch and the step run through the dev time-lapse) takes a daily CTR test
 * from the reporting job to a verdict decided from the emulator's reach reports, and the test's
 * page shows each title's CTR.
 */

/**
 * A stack of its own: the demo moves its emulator's clock weeks ahead and spends a day's quota of
 * the demo creator, which the other files' stack must not see.
 */
let stack: LocalStack | undefined;
let dataDir = "";
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ttp-e2e-ctr-"));
  stack = await startStack({ appPort: await freePort(), emulatorPort: await freePort(), dataDir });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function target(): LocalStack {
  if (!stack) throw new Error("the stack starts in beforeAll");
  return stack;
}

const browser = useBrowser();

describe("the CTR demo", () => {
  it("decides a daily CTR test from the reach reports, the planted best title winning, and the page shows each title's CTR", async () => {
    const lines: string[] = [];
    const outcome = await runCtrDemo(target(), (line) => lines.push(line)).finally(() =>
      // The demo's transcript, kept as an artifact like the screenshots.
      writeFile(`${ARTIFACTS}/ctr-demo.txt`, `${lines.join("\n")}\n`),
    );

    expect(outcome.status).toBe("completed");
    expect(outcome.decision).toBe("winner");
    expect(outcome.winnerVariant).toBe(PLANTED_BEST);
    // Judged by days from the reports: every title had impressions and clicks counted.
    expect(outcome.reports).toBeGreaterThan(0);
    for (const c of outcome.ctrs) {
      expect(c.impressions).toBeGreaterThan(0);
      expect(c.clicks).toBeGreaterThan(0);
    }
    const best = outcome.ctrs.find((c) => c.variant === PLANTED_BEST);
    const rate = (c: { clicks: number; impressions: number }) => c.clicks / c.impressions;
    for (const c of outcome.ctrs) if (c !== best) expect(rate(c)).toBeLessThan(rate(best ?? c));
    // One line per step, each with the live title and the reports stored so far.
    expect(lines.filter((l) => l.includes("reports stored:")).length).toBeGreaterThanOrEqual(6);
    expect(lines.at(-1)).toBe(`Test page: ${outcome.pageUrl}`);

    await onNewPage(browser(), DESKTOP, "ctr-demo-failure", (page) => showsCtrs(page, outcome));
  }, 300_000);
});

async function showsCtrs(page: Page, outcome: CtrDemoOutcome): Promise<void> {
  await signIn(page, target().url);
  await page.goto(outcome.pageUrl);
  const table = page.locator("table", { has: page.getByRole("columnheader", { name: "CTR" }) });
  await table.getByRole("columnheader", { name: "Impressions" }).waitFor();
  for (const c of outcome.ctrs) {
    const row = table.locator("tr", { has: page.getByText(c.title, { exact: true }) });
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain(`${((100 * c.clicks) / c.impressions).toFixed(2)} %`);
    expect(text).toContain(c.impressions.toLocaleString("en"));
  }
  await speaksCtr(page);
  await screenshot(page, "ctr-demo");
}

/** A views test's words, which a CTR test's page must not use for its own figures. */
const VIEWS_WORDS = /views? per hour|views\/h/i;

/** The verdict, the charts (titles, axis captions, tooltips, labels) and the How-we-decide note speak of CTR. */
async function speaksCtr(page: Page): Promise<void> {
  const verdict = (await page.locator(".verdict").textContent()) ?? "";
  expect(verdict).toMatch(/^Title [A-E] wins: \+[^,]+ click-through rate, [^,]+ sure$/);
  await page.getByRole("heading", { level: 2, name: "Click-through rate by day" }).waitFor();
  const charts = page.locator("figure.chart");
  expect(await charts.count()).toBe(2);
  for (const chart of await charts.all()) {
    const words = `${(await chart.getAttribute("aria-label")) ?? ""} ${(await chart.textContent()) ?? ""}`;
    expect(words).not.toMatch(VIEWS_WORDS);
    expect(words).toMatch(/click-through rate/i);
  }
  const sections = [page.locator("section", { has: page.locator("#verdict-h") }), charts];
  for (const section of sections)
    expect((await section.allTextContents()).join(" ")).not.toMatch(VIEWS_WORDS);
  expect(await page.locator("h2", { hasText: VIEWS_WORDS }).count()).toBe(0);
}
