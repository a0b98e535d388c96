import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page, type ViewportSize } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/** Where screenshots are kept as test artifacts (git-ignored). */
export const ARTIFACTS = "e2e/artifacts";

/** Debian's Chromium, headless, without the background networking this closed machine refuses. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** The two screens every browser test looks at: a laptop and a 375-px phone. */
export const DESKTOP: ViewportSize = { width: 1280, height: 900 };
export const PHONE: ViewportSize = { width: 375, height: 812 };

/**
 * The browser of a test file: launched before its tests, closed after them. Call it at the top
 * level of the file; the answer gives the browser inside the tests.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is launched in beforeAll: use it inside a test");
    return browser;
  };
}

/**
 * Runs `scenario` on a new page in a context of its own (axe opens a page in it to assemble its
 * results); if it fails, saves what the page showed as the `failureShot` artifact before
 * failing. The context is closed either way.
 */
export async function onNewPage(
  browser: Browser,
  viewport: ViewportSize,
  failureShot: string,
  scenario: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  try {
    await scenario(page);
  } catch (err) {
    await screenshot(page, failureShot).catch(() => {});
    throw err;
  } finally {
    await context.close();
  }
}

/** Signs the seeded demo creator in from the landing page, through the emulator's consent page. */
export async function signIn(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByRole("link", { name: "Sign in with Google" }).click();
  await page.getByText("creator@example.com").first().click();
  await page.waitForURL(`${appUrl}/dashboard`);
}

/** Saves a full-page screenshot as an artifact. */
export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/**
 * Collects every Content-Security-Policy violation a page reports, across its navigations: the
 * `securitypolicyviolation` events of each document, and Chromium's console errors about CSP (a
 * blocked inline script never reaches the page's listeners). Read the array at the end.
 */
export async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__reportCspViolation", (report: string) => {
    violations.push(report);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`;
      (window as unknown as { __reportCspViolation(r: string): void }).__reportCspViolation(report);
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      violations.push(`console: ${message.text()}`);
    }
  });
  return violations;
}
