import { env, runDurableObjectAlarm } from "cloudflare:test";
import { and, count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import {
  addVideo,
  call,
  createDraft,
  creator,
  expectJson,
  rowCounts,
  type TestCreator,
  type TestJson,
  testRow,
} from "./tests-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/**
 * The tests API with the real TestRotator behind it (the contract of durable-objects/test-rotator/contract.ts):
 * live creates, start, pause, resume, stop, apply-winner and delete, each answered with the
 * refreshed test, and the plan and one-live-per-video rules under concurrent requests.
 * The emulator's clock is not moved here (the engine suites do that): slots gain no views.
 */
const { db, close } = openDb(env);
afterAll(() => close());

let pat: TestCreator;

beforeAll(async () => {
  pat = await creator(db, "pro");
});

/** Runs the test's armed step; `view()` waits for one its own alarm may be running meanwhile. */
async function step(testId: string): Promise<void> {
  const stub = testRotator(env, testId);
  await runDurableObjectAlarm(stub);
  await stub.view();
}

/** The video's live title in the emulator. */
async function liveTitle(videoId: string): Promise<string | undefined> {
  const timeline = await emulatorAdmin<{ titles: { title: string }[] }>("GET", `/videos/${videoId}/timeline`);
  return timeline.titles.at(-1)?.title;
}

async function read(who: TestCreator, testId: string) {
  return expectJson<TestJson & { nextRotationAt: string | null; finalVariant: number | null }>(
    await call(who, "GET", `/api/tests/${testId}`),
    200,
  );
}

describe("a live test from create to delete", () => {
  it("creates, runs, pauses, resumes, stops (restoring the title) and deletes a test", async () => {
    const videoId = await addVideo(pat, "Lifecycle original");
    const created = await expectJson<TestJson>(
      await call(pat, "POST", "/api/tests", {
        videoId,
        titles: ["Lifecycle challenger one", "Lifecycle challenger two"],
        intervalMinutes: 60,
      }),
      201,
    );
    expect(created.status).toBe("scheduled");
    const span = Date.parse(created.endsAt as string) - Date.parse(created.startsAt as string);
    expect(span).toBe(14 * 24 * 3_600_000);

    await step(created.id);
    const running = await read(pat, created.id);
    expect(running.status).toBe("running");
    expect(running.currentVariant).not.toBeNull();
    expect(running.currentTitle).toBe(running.titles[running.currentVariant as number]?.text);
    expect(running.nextRotationAt).not.toBeNull();
    expect(await liveTitle(videoId)).toBe(running.currentTitle);
    expect(running.events?.map((e) => e.type)).toContain("created");

    const paused = await expectJson<TestJson>(await call(pat, "POST", `/api/tests/${created.id}/pause`), 200);
    expect(paused.status).toBe("paused");
    const again = await call(pat, "POST", `/api/tests/${created.id}/pause`);
    expect(again.status).toBe(409);
    const resumed = await expectJson<TestJson>(
      await call(pat, "POST", `/api/tests/${created.id}/resume`),
      200,
    );
    expect(resumed.status).toBe("running");

    const stopped = await expectJson<TestJson>(await call(pat, "POST", `/api/tests/${created.id}/stop`), 200);
    expect(stopped.status).toBe("stopped");
    await step(created.id); // the finish step puts the original title back
    expect(await liveTitle(videoId)).toBe("Lifecycle original");

    const results = await expectJson<{ series: { endedAt: string | null }[] }>(
      await call(pat, "GET", `/api/tests/${created.id}/results`),
      200,
    );
    expect(results.series.length).toBeGreaterThan(0);
    expect(results.series.every((s) => s.endedAt !== null)).toBe(true);

    expect((await call(pat, "DELETE", `/api/tests/${created.id}`)).status).toBe(204);
    expect(await testRow(db, created.id)).toBeUndefined();
    expect(await testRotator(env, created.id).view()).toBeNull();
  });

  it("starts a draft, and refuses to start it twice", async () => {
    const draft = await createDraft(pat, { videoId: await addVideo(pat, "Draft to start") });
    const started = await expectJson<TestJson>(await call(pat, "POST", `/api/tests/${draft.id}/start`), 200);
    expect(started.status).toBe("scheduled");
    expect(started.startsAt).not.toBeNull();
    expect(Date.parse(started.endsAt as string) - Date.parse(started.startsAt as string)).toBe(
      14 * 24 * 3_600_000,
    );
    const twice = await call(pat, "POST", `/api/tests/${draft.id}/start`);
    expect(twice.status).toBe(409);
    await step(draft.id);
    expect((await read(pat, draft.id)).status).toBe("running");
  });

  it("applies a chosen variant to a running test and leaves it live", async () => {
    const videoId = await addVideo(pat, "Apply original");
    const created = await expectJson<TestJson>(
      await call(pat, "POST", "/api/tests", { videoId, titles: ["Apply challenger"], intervalMinutes: 60 }),
      201,
    );
    await step(created.id);
    const applied = await expectJson<TestJson>(
      await call(pat, "POST", `/api/tests/${created.id}/apply-winner`, { variant: 1 }),
      200,
    );
    expect(applied.status).toBe("completed");
    await step(created.id);
    expect(await liveTitle(videoId)).toBe("Apply challenger");
    expect((await read(pat, created.id)).finalVariant).toBe(1);
  });
});

describe("limits under concurrent requests", () => {
  it("lets one of two concurrent creates on a video through", async () => {
    const videoId = await addVideo(pat, "Raced video");
    const body = { videoId, titles: ["Raced challenger"], intervalMinutes: 60 };
    const answers = await Promise.all([
      call(pat, "POST", "/api/tests", body),
      call(pat, "POST", "/api/tests", body),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const [live] = await db
      .select({ n: count() })
      .from(schema.tests)
      .where(
        and(eq(schema.tests.videoId, videoId), inArray(schema.tests.status, [...schema.liveTestStatuses])),
      );
    expect(live?.n).toBe(1);
  });

  it("never lets concurrent creates exceed the plan's live tests (free: one)", async () => {
    const quinn = await creator(db);
    const second = await addVideo(quinn, "Quinn's third upload");
    const answers = await Promise.all(
      [quinn.videoIds[0], quinn.videoIds[1], second].map((videoId) =>
        call(quinn, "POST", "/api/tests", { videoId, titles: ["Plan challenger"], intervalMinutes: 240 }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const counts = await rowCounts(db, quinn.id);
    expect(counts.tests).toBe(1);
  });
});
