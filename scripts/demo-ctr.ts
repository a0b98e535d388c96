import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { liveTestStatuses } from "../schema/test-statuses";
import { pacificDayKey } from "../worker/quota/pacific-day";
import { signIn } from "./demo-sign-in";
import { seedEmulator } from "./emulator";

/**
 * `npm run demo:ctr`: a click-through-rate test from the reporting job to its verdict, against a
 * running `npm start`, in minutes instead of weeks. The demo creator signs in, gives three titles
 * of "The 10-Minute Weeknight Pasta" hidden CTRs in the emulator (one clearly best), and starts a
 * daily CTR test. Then, step by step, the emulator's clock jumps to the rotator's next step, the
 * creator's reach fetch stores the reports YouTube has published by then (two simulated days late),
 * and the step runs at its own time (the local time-lapse, `/api/dev/*`). A day's line is printed
 * per step until the verdict.
 *
 * The jumps move the emulator's one clock: a views test running meanwhile would count a simulated
 * day of views in a one-minute slot, so the demo creator's running views tests (the `npm start`
 * demo) are paused first; resume them on their page.
 */

/** The video the CTR demo tests (not the views demo's), found by its title. */
const CTR_VIDEO = "The 10-Minute Weeknight Pasta";
/** Its challengers; the first is the planted best (hidden CTRs below). */
const CHALLENGERS = ["Weeknight Pasta in 10 Minutes Flat (No Jar Sauce)", "The Fastest Pasta I Know"];
/** Hidden CTRs: the original, then each challenger. */
const HIDDEN_CTRS = [0.04, 0.075, 0.045];
/** The variant the emulator's viewers click most. */
export const PLANTED_BEST = 1;
/**
 * Days the test may run: six rounds of the three titles. With three titles the engine measures the
 * day-to-day spread from the rounds, and with these CTRs it needs five of them to call the winner
 * (four leave too few degrees of freedom); it decides as soon as it can.
 */
const TEST_DAYS = 18;
const DAY_MS = 86_400_000;
/** Steps before the driver gives up: the test's days, the settle steps after them, and slack. */
const MAX_STEPS = 2 * TEST_DAYS + 20;

/** Where the demo runs: the app and its Google emulator. */
export interface DemoTarget {
  url: string;
  emulatorUrl: string;
}

/** How the CTR demo ended. */
export interface CtrDemoOutcome {
  testId: string;
  pageUrl: string;
  status: string;
  decision: string | null;
  winnerVariant: number | null;
  /** Days judged by their reach reports, per variant: clicks over impressions. */
  ctrs: { variant: number; title: string; clicks: number; impressions: number }[];
  /** Reports the reach fetches stored over the run. */
  reports: number;
}

/** The fields of a test the driver reads (`GET /api/tests/:id`). */
interface TestJson {
  id: string;
  videoId: string;
  status: string;
  metric: string;
  currentTitle: string | null;
  nextRotationAt: string | null;
  decision: string | null;
  winnerVariant: number | null;
  titles: { variant: number; text: string }[];
  /** The test's history, newest first. */
  events?: { type: string; data: Record<string, unknown> }[];
}

/** The fields of the results the driver reads (`GET /api/tests/:id/results`). */
interface ResultsJson {
  analysis: { variants: { variant: number; count: number; exposure: number }[] };
}

/** Runs the CTR demo against the app and emulator of `target`; `log` gets one line per step. */
export async function runCtrDemo(
  target: DemoTarget,
  log: (line: string) => void = console.log,
): Promise<CtrDemoOutcome> {
  const seed = await seedEmulator(target.emulatorUrl);
  const titles = [CTR_VIDEO, ...CHALLENGERS];
  // By its title, or the one an earlier run left live on it.
  const video = seed.videos.find((v) => titles.includes(v.title));
  if (!video) throw new Error(`the emulator has no demo video "${CTR_VIDEO}"`);
  const admin = appClient(target.url, await signIn(target.url, seed.account.email));
  const emulator = emulatorClient(target.emulatorUrl);
  // The top plan for the run, as `npm start`'s demo gives it (a free plan's 1,000 units a day end
  // in 20 title changes), through the admin API: the demo creator administers the local stack. A
  // new plan ends the creator's sessions, so the run signs in again, and the old plan is put back.
  const me = await admin<{ id: string; plan: string }>("GET", "/api/me");
  await admin("PUT", `/api/admin/users/${me.id}/plan`, { plan: "authority" });
  const app = appClient(target.url, await signIn(target.url, seed.account.email));
  try {
    return await driveCtrTest(target, app, emulator, video.id, log);
  } finally {
    await app("PUT", `/api/admin/users/${me.id}/plan`, { plan: me.plan });
  }
}

/** Starts the CTR test and runs its steps on the emulator's clock until its verdict. */
async function driveCtrTest(
  target: DemoTarget,
  app: AppCall,
  emulator: AppCall,
  videoId: string,
  log: (line: string) => void,
): Promise<CtrDemoOutcome> {
  const titles = [CTR_VIDEO, ...CHALLENGERS];
  await pauseViewsTests(app, log);
  for (const [variant, title] of titles.entries())
    await emulator("PUT", "/ctr", { videoId, title, ctr: HIDDEN_CTRS[variant] });
  const test = await ctrTest(app, videoId, await emulatorNow(emulator));
  log(`CTR test ${test.id} on "${CTR_VIDEO}": ${titles.length} titles, one per Pacific day`);

  let reports = 0;
  let stalled = 0;
  let current = test;
  for (let i = 0; i < MAX_STEPS && current.nextRotationAt !== null; i++) {
    const due = Date.parse(current.nextRotationAt);
    // The emulator lives up to a minute past the step, so that day's viewers and reports exist.
    const lag = due - (await emulatorNow(emulator));
    if (lag > 0) await emulator("PUT", "/clock", { advanceSeconds: Math.ceil(lag / 1000) + 60 });
    const fetched = await app<{ reports: number; rows: number }>("POST", "/api/dev/reach/fetch");
    reports += fetched.reports;
    await app("POST", `/api/dev/tests/${test.id}/step`);
    current = await app<TestJson>("GET", `/api/tests/${test.id}`);
    // A step that does not move on (a quota wait, a failure backing off in real time) is tried
    // again, since a copy owed to Postgres goes first; three times, and the demo says why.
    stalled = current.nextRotationAt !== null && Date.parse(current.nextRotationAt) <= due ? stalled + 1 : 0;
    if (stalled === 3)
      throw new Error(
        `the step at ${new Date(due).toISOString()} does not move on: ${JSON.stringify(current.events?.[0])}`,
      );
    const day = new Date(due).toISOString().slice(0, 16).replace("T", " ");
    log(
      `${day} UTC (Pacific ${pacificDayKey(due)}) · live: "${current.currentTitle ?? "—"}" · ` +
        `reports stored: ${reports} (+${fetched.reports}) · ${current.status}` +
        (current.decision && current.decision !== "collecting" ? ` · ${current.decision}` : ""),
    );
  }
  if (current.nextRotationAt !== null) throw new Error(`no verdict after ${MAX_STEPS} steps`);

  const results = await app<ResultsJson>("GET", `/api/tests/${test.id}/results`);
  const ctrs = results.analysis.variants.map((v) => ({
    variant: v.variant,
    title: titles[v.variant] ?? "",
    clicks: v.count,
    impressions: v.exposure,
  }));
  for (const c of ctrs)
    log(
      `  ${c.title}: CTR ${percent(c.clicks, c.impressions)} (${c.clicks} clicks of ${c.impressions} impressions; hidden ${((HIDDEN_CTRS[c.variant] ?? 0) * 100).toFixed(1)} %)`,
    );
  const pageUrl = `${target.url}/tests/${test.id}`;
  log(
    `Verdict: ${current.decision}${current.winnerVariant === null ? "" : `, "${titles[current.winnerVariant]}" wins`}`,
  );
  log(`Test page: ${pageUrl}`);
  return {
    testId: test.id,
    pageUrl,
    status: current.status,
    decision: current.decision,
    winnerVariant: current.winnerVariant,
    ctrs,
    reports,
  };
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)} %` : "—";
}

type AppCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls the app as the signed-in creator; a non-2xx answer fails the demo with its message. */
function appClient(url: string, cookie: string): AppCall {
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, origin: url, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** Calls the emulator's admin API (`/__emulator/…`). */
function emulatorClient(emulatorUrl: string): AppCall {
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulatorUrl}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
}

async function emulatorNow(emulator: AppCall): Promise<number> {
  return (await emulator<{ nowMs: number }>("GET", "/clock")).nowMs;
}

/** Pauses the creator's running views tests: the clock's jumps would land in their slots. */
async function pauseViewsTests(app: AppCall, log: (line: string) => void): Promise<void> {
  const { items } = await app<{ items: TestJson[] }>("GET", "/api/tests?status=running,scheduled");
  for (const t of items.filter((t) => t.metric === "views")) {
    await app("POST", `/api/tests/${t.id}/pause`);
    log(`Paused views test ${t.id} (the emulator's clock is about to jump); resume it on its page`);
  }
}

/**
 * Starts the daily CTR test, or finds the one an earlier run left live on the video. It starts
 * after the emulator's clock (which the views demo runs ahead of real time), so that every day
 * the rotator judges is one the emulator's viewers have yet to live through.
 */
async function ctrTest(app: AppCall, videoId: string, emulatorAt: number): Promise<TestJson> {
  const { items } = await app<{ items: TestJson[] }>(
    "GET",
    `/api/tests?status=${liveTestStatuses.join(",")}`,
  );
  const earlier = items.find((t) => t.videoId === videoId);
  if (earlier?.metric === "ctr") return app<TestJson>("GET", `/api/tests/${earlier.id}`);
  if (earlier) throw new Error(`test ${earlier.id} already holds "${CTR_VIDEO}": stop it first`);
  const startAt = Math.max(Date.now(), emulatorAt) + 60_000;
  if (startAt > Date.now() + 29 * DAY_MS) {
    const ahead = Math.round((emulatorAt - Date.now()) / DAY_MS);
    throw new Error(
      `the emulator's clock is ${ahead} days ahead of real time (each run moves it about ${TEST_DAYS} days on, and a test starts at most 30 days ahead): stop npm start, remove .data/ and start again`,
    );
  }
  const created = await app<{ id: string }>("POST", "/api/tests", {
    videoId,
    // In this order whatever title is live, so the planted best is always variant 1.
    titles: [CTR_VIDEO, ...CHALLENGERS],
    includeCurrentTitle: false,
    metric: "ctr",
    intervalMinutes: 1440,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(startAt + TEST_DAYS * DAY_MS).toISOString(),
  });
  return app<TestJson>("GET", `/api/tests/${created.id}`);
}

// `npm run demo:ctr` (against `npm start`; APP_URL / EMULATOR_URL for other ports).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runCtrDemo({
    url: process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`,
    emulatorUrl: process.env.EMULATOR_URL ?? "http://127.0.0.1:8788",
  }).catch((err: unknown) => {
    console.error(`the CTR demo failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
