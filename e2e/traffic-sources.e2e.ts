import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openNodePool } from "../scripts/node-pool";
import { pacificDay } from "../worker/quota/pacific-day";
import { DAILY_SLOT_MINUTES } from "../worker/title-tests/traffic-sources";
import { DESKTOP, onNewPage, screenshot, signIn, useBrowser } from "./browser";

/**
 * The traffic-source view of a daily-slot test, through the real results API and page. Seeded:
 * a daily test needs real days to pass (the rotator runs on the Worker's clock, which no test can
 * move), and the job's days must be both final by the cron's real time and after the emulator's
 * videos were created (it has no views before), which no day is; `wrangler dev`'s `/__scheduled`
 * ignores a given time. So the slots and the `traffic_sources` rows the job would store are
 * written straight into Postgres; the job itself runs against the emulator in
 * test/worker/traffic-sources.test.ts.
 */

const appUrl = inject("appUrl");
const database = inject("database");
const DAY_MS = 86_400_000;
// Not the video the other browser tests rotate.
const AVOID = "Cast Iron Myths, Tested";

const browser = useBrowser();

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
  it(
    "shows when the data arrives, then a table per title by traffic source",
    () => onNewPage(browser(), DESKTOP, "traffic-sources-failure", scenario),
    240_000,
  );
});

async function scenario(page: Page): Promise<void> {
  await signIn(page, appUrl);

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

  // A daily test with no day over yet: the section says when the data will come.
  await page.goto(`${appUrl}/tests/${testId}`);
  await page.getByRole("heading", { name: "Where the views came from" }).waitFor();
  await page.getByText("They will show once the first day of the test is over.").waitFor();
  await screenshot(page, "traffic-sources-empty");

  // Four whole Pacific days ending a week ago, two rounds of two titles, and the Analytics rows
  // the job would have stored for them (hand-made: Search doubled on the challenger's days).
  let dayStart = pacificDay(Date.now() - 11 * DAY_MS).startsAt;
  const sources = { RELATED_VIDEO: 400, SUBSCRIBER: 300, YT_SEARCH: 120, EXT_URL: 30 };
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
      for (const [source, views] of Object.entries(sources)) {
        const boosted = source === "YT_SEARCH" && variant === 1 ? 2 * views : views;
        await pool.query(
          `insert into traffic_sources (video_id, day, source, views, minutes) values ($1, $2, $3, $4, $5)
           on conflict (video_id, day, source) do update set views = excluded.views, minutes = excluded.minutes`,
          [video.videoId, pacificDay(dayStart).key, source, boosted + i, boosted * 3],
        );
      }
      dayStart = end;
    }
    await pool.query(
      `update tests set status = 'completed', started_at = (select min(started_at) from slots where test_id = $1),
         finished_at = $2, current_variant = null where id = $1`,
      [testId, new Date(dayStart)],
    );
  } finally {
    await pool.end();
  }

  const traffic = await trafficOf(page, testId);
  expect(traffic?.daysWithData).toBe(4);
  const challenger = traffic?.variants.find((v) => v.variant === 1);
  // Days 1 and 2 were the challenger's: 2 × (400 + 300 + 240 + 30), plus day i's +i on 4 sources.
  expect(challenger?.views).toBe(2 * 970 + 4 * (1 + 2));
  const top = challenger?.sources[0];
  if (!top) throw new Error("no traffic source");

  await page.goto(`${appUrl}/tests/${testId}`);
  await page.getByRole("heading", { name: "Where the views came from" }).waitFor();
  const table = page.locator('table[data-variant="1"]');
  await table.getByText("Where the views come from, tested").waitFor();
  const row = table.locator("tr", { has: page.getByRole("rowheader", { name: top.label, exact: true }) });
  await row.waitFor();
  expect(await row.textContent()).toContain(top.views.toLocaleString("en"));
  await page.locator('table[data-variant="0"]').getByRole("cell", { name: "control" }).first().waitFor();
  await screenshot(page, "traffic-sources");
}
