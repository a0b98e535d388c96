import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";

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
