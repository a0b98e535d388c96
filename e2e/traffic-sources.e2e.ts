import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openNodePool } from "../scripts/node-pool";
import { pacificDay } from "../worker/quota/pacific-day";
import { DAILY_SLOT_MINUTES, TRAFFIC_SOURCE_DELAY_MS } from "../worker/title-tests/traffic-sources";
import { launchChromium, screenshot } from "./browser";

/**
 * The traffic-source view of a daily-slot test. A daily test needs real days to pass: the rotator
 * runs on the Worker's clock, which no test can move, so the four days of slots are seeded straight
 * into Postgres (what the rotator would have written). Everything after that is the real thing:
 * the hourly cron at 12:00 UTC fans out the `traffic.sources` job, the queue runs it against the
 * emulator's Analytics, and the page shows what it stored.
 */

const appUrl = inject("appUrl");
const database = inject("database");
const DAY_MS = 86_400_000;
// Not the video the other browser tests rotate.
const AVOID = "Cast Iron Myths, Tested";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The latest 12:00 UTC at or before now: when the hourly cron fans the job out. */
function lastFanOut(now: number): number {
  const noon = new Date(now);
  noon.setUTCHours(12, 0, 0, 0);
  return noon.getTime() <= now ? noon.getTime() : noon.getTime() - DAY_MS;
}

/** The results' traffic-source field, as the page reads it (only the figures looked at here). */
interface Traffic {
  daysWithData: number;
  variants: { variant: number; views: number; sources: { label: string; views: number }[] }[];
}

async function trafficOf(page: Page, testId: string): Promise<Traffic | null> {
  const res = await page.request.get(`${appUrl}/api/tests/${testId}/results`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { trafficSources: Traffic | null }).trafficSources;
}

describe("where each title's views came from", () => {
  it("shows when the data arrives, then a table per title by traffic source", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await scenario(page);
    } catch (err) {
      await screenshot(page, "traffic-sources-failure").catch(() => {});
      throw err;
    } finally {
      await page.close();
    }
  }, 240_000);
});

async function scenario(page: Page): Promise<void> {
  await page.goto(appUrl);
  await page.getByRole("link", { name: "Sign in with Google" }).click();
  await page.getByText("creator@example.com").first().click();
  await page.waitForURL(`${appUrl}/dashboard`);

  const videos = (await (await page.request.get(`${appUrl}/api/videos`)).json()) as {
    items: { videoId: string; title: string }[];
  };
  const video = videos.items.find((v) => v.title !== AVOID);
  if (!video) throw new Error("the demo channel has no second video");
  const created = await page.request.post(`${appUrl}/api/tests`, {
    headers: { origin: appUrl, "content-type": "application/json" },
    data: {
      videoId: video.videoId,
      titles: ["Where the views come from, tested"],
      intervalMinutes: DAILY_SLOT_MINUTES,
      draft: true,
    },
  });
  expect(created.status()).toBe(201);
  const testId = ((await created.json()) as { id: string }).id;

  // Four whole Pacific days, two rounds of two titles, all final by the fan-out's time.
  const asOf = lastFanOut(Date.now());
  let dayStart = pacificDay(asOf - TRAFFIC_SOURCE_DELAY_MS - 5 * DAY_MS).startsAt;
  const pool = openNodePool(database);
  try {
    const order = [0, 1, 1, 0];
    for (const [i, variant] of order.entries()) {
      const end = pacificDay(dayStart).endsAt;
      await pool.query(
        `insert into slots (test_id, slot_index, variant, block, started_at, ended_at, views_start, views_end)
         values ($1, $2, $3, $4, $5, $6, 0, 0)`,
        [testId, i, variant, Math.floor(i / 2), new Date(dayStart), new Date(end)],
      );
      dayStart = end;
    }
    await pool.query(
      `update tests set status = 'completed', started_at = (select min(started_at) from slots where test_id = $1),
         finished_at = $2, current_variant = null where id = $1`,
      [testId, new Date(asOf - DAY_MS)],
    );
  } finally {
    await pool.end();
  }

  // Before the job: the empty state says when YouTube reports.
  await page.goto(`${appUrl}/tests/${testId}`);
  await page.getByRole("heading", { name: "Where the views came from" }).waitFor();
  await page.getByText("YouTube reports traffic sources about two days after each day ends.").waitFor();
  await screenshot(page, "traffic-sources-empty");

  // The cron at 12:00 UTC fans out the job; the queue runs it against the emulator.
  const cron = await fetch(`${appUrl}/__scheduled?cron=${encodeURIComponent("0 * * * *")}&time=${asOf}`);
  expect(cron.ok).toBe(true);
  let traffic = await trafficOf(page, testId);
  for (let i = 0; i < 60 && (traffic?.daysWithData ?? 0) < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    traffic = await trafficOf(page, testId);
  }
  expect(traffic?.daysWithData).toBe(4);
  const challenger = traffic?.variants.find((v) => v.variant === 1);
  expect(challenger?.views).toBeGreaterThan(0);
  const top = challenger?.sources[0];
  if (!top) throw new Error("no traffic source");

  await page.reload();
  const table = page.locator('table[data-variant="1"]');
  await table.getByText("Where the views come from, tested").waitFor();
  const row = table.locator("tr", { has: page.getByRole("rowheader", { name: top.label, exact: true }) });
  await row.waitFor();
  expect(await row.textContent()).toContain(top.views.toLocaleString("en"));
  await page.locator('table[data-variant="0"]').getByRole("cell", { name: "control" }).first().waitFor();
  await screenshot(page, "traffic-sources");
}
