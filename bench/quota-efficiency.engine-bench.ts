import { env } from "cloudflare:test";
import { it } from "vitest";
import {
  advance,
  creatorWithVideo,
  emulatorAdmin,
  HOUR,
  rotator,
  scheduledTest,
  step,
} from "../test/engine/fixtures";
import type { LoggedCall } from "../test/worker/youtube-fixtures";

/**
 * Units per rotation, from the emulator's call log (what Google would bill), with every test's
 * boundary at the same instant: the floor is 50 (the update); the batched boundary reads add
 * 1 unit per 50 videos. Each size runs `ROUNDS` hourly boundaries after the tests have started.
 */
const SIZES = ((env as { QUOTA_SIZES?: string }).QUOTA_SIZES ?? "10,200").split(",").map(Number);
const ROUNDS = 3;
/**
 * Alarms run at most this many at once: each copies its step to Postgres over its own connection
 * and the local server allows 100 (Neon's pooler takes thousands). The boundary reads of one wave
 * still coalesce: a wave of 50 is one videos.list call.
 */
const WAVE = 50;

async function inWaves(ids: string[], run: (id: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ids.length; i += WAVE) await Promise.all(ids.slice(i, i + WAVE).map(run));
}

async function callsSince(since: number): Promise<LoggedCall[]> {
  const out: LoggedCall[] = [];
  for (;;) {
    const { calls } = await emulatorAdmin<{ calls: LoggedCall[] }>("GET", `/calls?since=${since}&limit=5000`);
    out.push(...calls);
    if (calls.length < 5000) return out;
    since = calls.at(-1)?.id ?? since;
  }
}

it("prints the units per rotation of concurrent tests with aligned boundaries", async () => {
  const figures: Record<string, unknown>[] = [];
  for (const size of SIZES) {
    const creator = await creatorWithVideo();
    const ids: string[] = [];
    for (let i = 0; i < size; i++) {
      const original = `Bench video ${i} of ${creator.email}`;
      const video = await emulatorAdmin<{ id: string }>("POST", "/videos", {
        channelId: creator.channelId,
        title: original,
        categoryId: "26",
        viewsPerDay: 2_400,
      });
      ids.push(
        await scheduledTest({ userId: creator.userId, videoId: video.id, original }, [
          `Challenger ${i}`,
          `Third ${i}`,
        ]),
      );
    }
    await inWaves(ids, async (id) => {
      await rotator(id).start(id);
      await step(id);
    });

    const since = (await callsSince(0)).at(-1)?.id ?? 0;
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      await advance(HOUR);
      await inWaves(ids, step);
    }
    const seconds = (Date.now() - started) / 1000;
    const calls = (await callsSince(since)).filter((c) => c.project === "local-1");
    const rotations = (
      await Promise.all(ids.map(async (id) => (await rotator(id).slots()).length - 1))
    ).reduce((a, b) => a + b, 0);
    const units = calls.reduce((sum, c) => sum + c.units, 0);
    const lists = calls.filter((c) => c.method === "videos.list");
    const updates = calls.filter((c) => c.method === "videos.update");
    figures.push({
      tests: size,
      rounds: ROUNDS,
      rotations,
      units,
      unitsPerRotation: Number((units / rotations).toFixed(3)),
      videosUpdate: updates.length,
      videosList: lists.length,
      listUnits: lists.reduce((sum, c) => sum + c.units, 0),
      otherCalls: calls.length - lists.length - updates.length,
      rotationsPerSecond: Number((rotations / seconds).toFixed(1)),
    });
  }
  console.table(figures);
  console.log(
    `BENCH_RESULT quota-efficiency ${JSON.stringify({ at: new Date().toISOString(), env: env.ENVIRONMENT, figures })}`,
  );
});
