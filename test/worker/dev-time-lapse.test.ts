import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import { timeLapseEnabled } from "../../durable-objects/test-rotator/time-lapse";
import { openDb } from "../../worker/db/client";
import { APP, as, fetchWith } from "./auth-fixtures";
import {
  addVideo,
  call,
  createDraft,
  creator,
  type ErrorJson,
  expectJson,
  type TestCreator,
  type TestJson,
  testRow,
} from "./tests-fixtures";

/**
 * The local time-lapse of `npm run demo:ctr` (worker/routes/dev.ts): a test's owner runs its armed
 * step now, and their reach fetch. Local only: with DEV_TIME_LAPSE off, or in production even with
 * it on, the routes do not exist and change nothing.
 */
const { db, close } = openDb(env);
afterAll(() => close());

let owner: TestCreator;
let other: TestCreator;

beforeAll(async () => {
  owner = await creator(db, "pro");
  other = await creator(db, "pro");
});

/** A test that starts in two hours: its own alarm stays quiet while the suite runs. */
async function laterTest(): Promise<TestJson> {
  return expectJson<TestJson>(
    await call(owner, "POST", "/api/tests", {
      videoId: await addVideo(owner, `Time-lapse original ${crypto.randomUUID()}`),
      titles: ["Time-lapse challenger"],
      intervalMinutes: 60,
      startAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    }),
    201,
  );
}

/** What a refused request must leave as it was: the rotator's state and journal. */
async function rotatorState(testId: string) {
  const stub = testRotator(env, testId);
  return { view: await stub.view(), journal: (await stub.history()).length };
}

const OFF = { ...env, DEV_TIME_LAPSE: "off" };
// Production with the var put anyway (it is pinned "off" there): still refused.
const PRODUCTION = { ...env, ENVIRONMENT: "production", DEV_TIME_LAPSE: "on", APP_ORIGIN: APP };

describe("the time-lapse gate", () => {
  it("is on only when DEV_TIME_LAPSE is on outside production", () => {
    expect(timeLapseEnabled({ DEV_TIME_LAPSE: "on", ENVIRONMENT: "development" })).toBe(true);
    expect(timeLapseEnabled({ DEV_TIME_LAPSE: "on", ENVIRONMENT: "production" })).toBe(false);
    expect(timeLapseEnabled({ DEV_TIME_LAPSE: "off", ENVIRONMENT: "development" })).toBe(false);
    expect(timeLapseEnabled({ DEV_TIME_LAPSE: "", ENVIRONMENT: "development" })).toBe(false);
  });

  it("hides the routes when off and in production, and nothing changes", async () => {
    const test = await laterTest();
    const before = await rotatorState(test.id);
    expect(before.view?.status).toBe("scheduled");
    for (const workerEnv of [OFF, PRODUCTION]) {
      for (const path of [`/api/dev/tests/${test.id}/step`, "/api/dev/reach/fetch"]) {
        const res = await fetchWith(workerEnv, `${APP}${path}`, as(owner.session, { method: "POST" }));
        expect(res.status).toBe(404);
        expect(((await res.json()) as ErrorJson).error.code).toBe("not_found");
        // Not even a session check gives the route away.
        expect((await fetchWith(workerEnv, `${APP}${path}`, { method: "POST" })).status).toBe(404);
      }
    }
    expect(await rotatorState(test.id)).toEqual(before);
    expect((await testRow(db, test.id))?.status).toBe("scheduled");
  });
});

describe("the time-lapse, on", () => {
  it("runs the owner's armed step now, at the step's own time", async () => {
    const test = await laterTest();
    const due = (await testRotator(env, test.id).view())?.nextStepAt ?? 0;
    expect(due).toBeGreaterThan(Date.now() + 3_600_000);
    const view = await expectJson<{ status: string; slotsOpened: number; nextStepAt: number }>(
      await call(owner, "POST", `/api/dev/tests/${test.id}/step`),
      200,
    );
    expect(view.status).toBe("running");
    expect(view.slotsOpened).toBe(1);
    // The first slot opened at the start time; it ends on the hourly grid, at least half an hour on.
    expect(view.nextStepAt).toBeGreaterThanOrEqual(due + 1_800_000);
    expect(view.nextStepAt).toBeLessThanOrEqual(due + 2 * 3_600_000);
    const row = await testRow(db, test.id);
    expect(row?.status).toBe("running");
    expect(row?.startedAt?.getTime()).toBe(due);
  });

  it("refuses another creator, a missing session, a malformed id and a draft, changing nothing", async () => {
    const test = await laterTest();
    const before = await rotatorState(test.id);
    const stranger = await call(other, "POST", `/api/dev/tests/${test.id}/step`);
    expect(stranger.status).toBe(404);
    const anonymous = await SELF.fetch(`${APP}/api/dev/tests/${test.id}/step`, {
      method: "POST",
      headers: { origin: APP },
    });
    expect(anonymous.status).toBe(401);
    const malformed = await call(owner, "POST", "/api/dev/tests/not-a-test/step");
    expect(malformed.status).toBe(400);
    expect(await rotatorState(test.id)).toEqual(before);

    const draft = await createDraft(owner, { videoId: await addVideo(owner, "Time-lapse draft") });
    expect((await call(owner, "POST", `/api/dev/tests/${draft.id}/step`)).status).toBe(409);
    expect((await testRow(db, draft.id))?.status).toBe("draft");
  });

  it("runs the signed-in creator's reach fetch and says what it stored", async () => {
    const fetched = await expectJson<{ reports: number; rows: number }>(
      await call(owner, "POST", "/api/dev/reach/fetch"),
      200,
    );
    expect(fetched.reports).toBeGreaterThanOrEqual(0);
    expect(fetched.rows).toBeGreaterThanOrEqual(0);
    // The fetch made sure of the creator's reporting job, as the daily job does.
    const again = await expectJson<{ reports: number; rows: number }>(
      await call(owner, "POST", "/api/dev/reach/fetch"),
      200,
    );
    expect(again).toEqual({ reports: 0, rows: 0 });
  });
});
