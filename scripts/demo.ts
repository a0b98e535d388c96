import { signIn } from "./demo-sign-in";
import type { EmulatorSeed } from "./emulator";
import { openNodePool } from "./node-pool";

/**
 * The demo `npm start` runs: the demo creator signs in (through the app and the emulator's
 * consent, as a browser would), and a test with 1-minute slots starts on their busiest video, the
 * budget-knife review, with challengers written for that video.
 * The emulator's clock runs 60× (each real minute brings an hour of simulated viewers), and one
 * challenger has a much better hidden CTR, so the test finds a winner in about a quarter of an hour.
 */

/** Simulated seconds per real second while the demo runs. */
const SPEED = 60;
/** The video the demo tests (the seed's busiest), found by its title. */
const DEMO_VIDEO = "I Tried Every Budget Knife So You Don't Have To";
/** Its challengers: the first one has three times the control's hidden CTR, the second about the same. */
const CHALLENGERS = [
  "I Tested 12 Cheap Knives — Only One Is Worth It",
  "Budget Kitchen Knives, Ranked Worst to Best",
];

/** Starts (or finds, after a restart) the demo test; answers its page's URL. */
export async function startDemo(
  stack: { url: string; emulatorUrl: string; database: { databaseUrl: string; wsProxy: string } },
  seed: EmulatorSeed,
): Promise<string> {
  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${stack.emulatorUrl}/__emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  // An hour of simulated viewers per real minute; access tokens still last an hour of real time.
  await admin("PUT", "/clock", { speed: SPEED });
  await admin("PUT", "/settings", { accessTokenTtlSeconds: 3599 * SPEED });

  const cookie = await signIn(stack.url, seed.account.email);
  // The demo creator is on the top plan, so every feature (and no plan limit) shows locally.
  const pool = openNodePool(stack.database);
  try {
    await pool.query("UPDATE users SET plan = 'authority' WHERE email = $1", [seed.account.email]);
  } finally {
    await pool.end();
  }

  // By title, so the challengers fit the video even if the seed's view figures change.
  const video = seed.videos.find((v) => v.title === DEMO_VIDEO);
  if (!video) throw new Error(`the emulator has no demo video "${DEMO_VIDEO}"`);
  await admin("PUT", "/ctr", { videoId: video.id, title: video.title, ctr: 0.04 });
  await admin("PUT", "/ctr", { videoId: video.id, title: CHALLENGERS[0], ctr: 0.12 });
  await admin("PUT", "/ctr", { videoId: video.id, title: CHALLENGERS[1], ctr: 0.045 });

  const headers = { cookie, origin: stack.url, "content-type": "application/json" };
  const created = await fetch(`${stack.url}/api/tests`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      videoId: video.id,
      titles: CHALLENGERS,
      intervalMinutes: 1,
      endAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  });
  if (created.status === 201) return `${stack.url}/tests/${((await created.json()) as { id: string }).id}`;
  // A demo test from an earlier run still holds the video: show that one.
  const list = await fetch(`${stack.url}/api/tests`, { headers });
  const { items } = (await list.json()) as { items: { id: string; videoId: string; status: string }[] };
  const running = items.find((t) => t.videoId === video.id);
  if (!running) throw new Error(`the demo test could not start: ${created.status} ${await created.text()}`);
  return `${stack.url}/tests/${running.id}`;
}
