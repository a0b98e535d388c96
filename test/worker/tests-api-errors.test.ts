import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { APP } from "./auth-fixtures";
import {
  addVideo,
  call,
  createDraft,
  creator,
  type ErrorJson,
  expectJson,
  insertSlots,
  rowCounts,
  setTest,
  type TestCreator,
  testRow,
} from "./tests-fixtures";

/**
 * The tests API refusing: every bad field is a 4xx JSON error that changes nothing, conflicts of
 * status, video and plan are 409s, and another creator's test is a 404 on every route.
 */
const { db, close } = openDb(env);
afterAll(() => close());

let alice: TestCreator;
let bob: TestCreator;

beforeAll(async () => {
  alice = await creator(db, "pro");
  bob = await creator(db);
});

/** A test's title rows, as stored. */
function titlesOf(testId: string) {
  return db
    .select()
    .from(schema.titles)
    .where(eq(schema.titles.testId, testId))
    .orderBy(schema.titles.variant);
}

/** Asserts a JSON error with this status and code, and answers it. */
async function expectError(res: Response, status: number, code: string): Promise<ErrorJson> {
  const body = await expectJson<ErrorJson>(res, status);
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBeTruthy();
  return body;
}

describe("creating a test with bad input", () => {
  const valid = () => ({
    videoId: alice.videoIds[0],
    titles: ["A sharper title", "A bolder title"],
    intervalMinutes: 60,
    draft: true,
  });
  const future = (days: number) => new Date(Date.now() + days * 24 * 3_600_000).toISOString();

  const cases: [string, (body: ReturnType<typeof valid>) => unknown, string][] = [
    ["no video id", ({ videoId, ...rest }) => rest, "videoId"],
    ["a malformed video id", (b) => ({ ...b, videoId: "../../etc" }), "videoId"],
    ["no titles", (b) => ({ ...b, titles: [] }), "titles"],
    [
      "one variant in total",
      (b) => ({ ...b, titles: ["Only challenger"], includeCurrentTitle: false }),
      "titles",
    ],
    ["six variants in total", (b) => ({ ...b, titles: ["a1", "a2", "a3", "a4", "a5"] }), "titles"],
    [
      "titles differing only in case and spaces",
      (b) => ({ ...b, titles: ["Hello World", " hello world "] }),
      "titles",
    ],
    ["a title with <", (b) => ({ ...b, titles: ["A <b>bold</b> title"] }), "titles.0"],
    ["a title with >", (b) => ({ ...b, titles: ["Fish > meat"] }), "titles.0"],
    ["a blank title", (b) => ({ ...b, titles: ["   "] }), "titles.0"],
    ["a title with a line break", (b) => ({ ...b, titles: ["Two\nlines"] }), "titles.0"],
    ["a title of 101 characters", (b) => ({ ...b, titles: ["é".repeat(101)] }), "titles.0"],
    ["a title that is not a string", (b) => ({ ...b, titles: [42] }), "titles.0"],
    ["an interval not on the list", (b) => ({ ...b, intervalMinutes: 3 }), "intervalMinutes"],
    ["a fractional interval", (b) => ({ ...b, intervalMinutes: 60.5 }), "intervalMinutes"],
    ["a negative interval", (b) => ({ ...b, intervalMinutes: -60 }), "intervalMinutes"],
    ["an interval as text", (b) => ({ ...b, intervalMinutes: "60" }), "intervalMinutes"],
    ["an unknown metric", (b) => ({ ...b, metric: "likes" }), "metric"],
    ["CTR with hourly slots", (b) => ({ ...b, metric: "ctr" }), "intervalMinutes"],
    [
      "watch time with 12-hour slots",
      (b) => ({ ...b, metric: "watch_time", intervalMinutes: 720 }),
      "intervalMinutes",
    ],
    ["a malformed start", (b) => ({ ...b, startAt: "tomorrow" }), "startAt"],
    ["a start without a time zone", (b) => ({ ...b, startAt: "2030-01-01T10:00:00" }), "startAt"],
    [
      "a start in the past",
      (b) => ({ ...b, startAt: new Date(Date.now() - 3_600_000).toISOString() }),
      "startAt",
    ],
    ["a start more than 30 days ahead", (b) => ({ ...b, startAt: future(31) }), "startAt"],
    ["an end before two rounds of every title", (b) => ({ ...b, endAt: future(0.2) }), "endAt"],
    ["an end past 30 days", (b) => ({ ...b, endAt: future(31) }), "endAt"],
    ["an end before the start", (b) => ({ ...b, startAt: future(5), endAt: future(4) }), "endAt"],
    ["autoApply as text", (b) => ({ ...b, autoApply: "yes" }), "autoApply"],
    ["an unknown field", (b) => ({ ...b, userId: "someone-else" }), ""],
  ];

  for (const [name, mutate, path] of cases) {
    it(`refuses ${name} with a 400 naming the field, writing nothing`, async () => {
      const before = await rowCounts(db, alice.id);
      const body = await expectError(
        await call(alice, "POST", "/api/tests", mutate(valid())),
        400,
        "validation_failed",
      );
      expect(body.error.details?.issues.map((i) => i.path)).toContain(path);
      expect(await rowCounts(db, alice.id)).toEqual(before);
    });
  }

  it("refuses a challenger equal to the live title (case-insensitively)", async () => {
    const before = await rowCounts(db, alice.id);
    const body = await expectError(
      await call(alice, "POST", "/api/tests", { ...valid(), titles: ["FIRST UPLOAD"] }),
      400,
      "validation_failed",
    );
    expect(body.error.message).toMatch(/current title/);
    expect(await rowCounts(db, alice.id)).toEqual(before);
  });

  it("refuses malformed JSON with a 400", async () => {
    const before = await rowCounts(db, alice.id);
    await expectError(await call(alice, "POST", "/api/tests", "{not json"), 400, "bad_request");
    expect(await rowCounts(db, alice.id)).toEqual(before);
  });

  it("answers 404 for a video on another creator's channel or unknown to YouTube", async () => {
    const before = await rowCounts(db, bob.id);
    await expectError(
      await call(bob, "POST", "/api/tests", { ...valid(), videoId: alice.videoIds[0] }),
      404,
      "not_found",
    );
    await expectError(
      await call(bob, "POST", "/api/tests", { ...valid(), videoId: "AAAAAAAAAAA" }),
      404,
      "not_found",
    );
    expect(await rowCounts(db, bob.id)).toEqual(before);
  });

  it("refuses a create without the app's Origin (CSRF)", async () => {
    const before = await rowCounts(db, alice.id);
    const res = await SELF.fetch(`${APP}/api/tests`, {
      method: "POST",
      headers: { cookie: alice.session, "content-type": "application/json", origin: "https://evil.test" },
      body: JSON.stringify(valid()),
    });
    await expectError(res, 403, "forbidden");
    expect(await rowCounts(db, alice.id)).toEqual(before);
  });

  it("answers 401 without a session", async () => {
    for (const path of ["/api/tests", "/api/dashboard", `/api/tests/${crypto.randomUUID()}`]) {
      await expectError(await SELF.fetch(`${APP}${path}`), 401, "unauthenticated");
    }
  });
});

describe("one live test per video, and the plan's live tests", () => {
  it("refuses a second live test on a video with a 409, and starting a draft on it", async () => {
    const videoId = await addVideo(alice, "Contested video");
    const live = await createDraft(alice, { videoId });
    await setTest(db, live.id, { status: "scheduled" });
    const draft = await createDraft(alice, { videoId }); // drafts do not hold the video
    const before = await rowCounts(db, alice.id);

    const created = await expectError(
      await call(alice, "POST", "/api/tests", {
        videoId,
        titles: ["Another try"],
        intervalMinutes: 60,
      }),
      409,
      "conflict",
    );
    expect(created.error.message).toMatch(/already has a live test/);
    const started = await expectError(
      await call(alice, "POST", `/api/tests/${draft.id}/start`),
      409,
      "conflict",
    );
    expect(started.error.message).toMatch(/already has a live test/);

    expect(await rowCounts(db, alice.id)).toEqual(before);
    expect((await testRow(db, draft.id))?.status).toBe("draft");
  });

  it("refuses a test beyond the plan's live tests (free: one), drafts still allowed", async () => {
    const carol = await creator(db);
    const live = await createDraft(carol, { videoId: carol.videoIds[0] });
    await setTest(db, live.id, { status: "running" });
    const draft = await createDraft(carol, { videoId: carol.videoIds[1] });
    const before = await rowCounts(db, carol.id);

    const created = await expectError(
      await call(carol, "POST", "/api/tests", {
        videoId: carol.videoIds[1],
        titles: ["Beyond the plan"],
        intervalMinutes: 240,
      }),
      409,
      "conflict",
    );
    expect(created.error.message).toMatch(/plan allows 1 live test/);
    const started = await expectError(
      await call(carol, "POST", `/api/tests/${draft.id}/start`),
      409,
      "conflict",
    );
    expect(started.error.message).toMatch(/plan allows 1 live test/);

    expect(await rowCounts(db, carol.id)).toEqual(before);
    expect((await testRow(db, draft.id))?.status).toBe("draft");
  });
});

describe("state changes the test's status does not allow", () => {
  let draft: { id: string };
  let running: { id: string };
  let completed: { id: string };

  beforeAll(async () => {
    draft = await createDraft(alice, { videoId: await addVideo(alice, "Draft video") });
    running = await createDraft(alice, { videoId: await addVideo(alice, "Busy video") });
    await setTest(db, running.id, { status: "running", startsAt: new Date(), currentVariant: 0 });
    completed = await createDraft(alice, { videoId: await addVideo(alice, "Done video") });
    await setTest(db, completed.id, { status: "completed", startsAt: new Date(Date.now() - 86_400_000) });
  });

  const refusals: [string, () => [string, string, unknown?], RegExp][] = [
    [
      "starting a running test",
      () => ["POST", `/api/tests/${running.id}/start`],
      /draft.*this one is running/,
    ],
    ["pausing a draft", () => ["POST", `/api/tests/${draft.id}/pause`], /running.*this one is draft/],
    ["resuming a running test", () => ["POST", `/api/tests/${running.id}/resume`], /this one is running/],
    [
      "resuming a completed test",
      () => ["POST", `/api/tests/${completed.id}/resume`],
      /this one is completed/,
    ],
    ["stopping a draft", () => ["POST", `/api/tests/${draft.id}/stop`], /this one is draft/],
    ["stopping a completed test", () => ["POST", `/api/tests/${completed.id}/stop`], /this one is completed/],
    [
      "applying a winner to a draft",
      () => ["POST", `/api/tests/${draft.id}/apply-winner`, {}],
      /this one is draft/,
    ],
    [
      "applying a winner no analysis has named",
      () => ["POST", `/api/tests/${running.id}/apply-winner`, {}],
      /no winner yet/,
    ],
    [
      "renaming the titles of a running test",
      () => ["PATCH", `/api/tests/${running.id}`, { titles: [{ variant: 1, text: "Too late" }] }],
      /draft.*this one is running/,
    ],
    [
      "moving the end of a completed test",
      () => [
        "PATCH",
        `/api/tests/${completed.id}`,
        { endAt: new Date(Date.now() + 86_400_000).toISOString() },
      ],
      /this one is completed/,
    ],
    ["deleting a running test", () => ["DELETE", `/api/tests/${running.id}`], /stop it first/],
  ];

  for (const [name, request, message] of refusals) {
    it(`refuses ${name} with a 409 naming the status, changing nothing`, async () => {
      const [method, path, body] = request();
      const rowsBefore = await Promise.all([draft, running, completed].map((t) => testRow(db, t.id)));
      const before = await rowCounts(db, alice.id);
      const res = await expectError(await call(alice, method, path, body), 409, "conflict");
      expect(res.error.message).toMatch(message);
      expect(await rowCounts(db, alice.id)).toEqual(before);
      expect(await Promise.all([draft, running, completed].map((t) => testRow(db, t.id)))).toEqual(
        rowsBefore,
      );
    });
  }

  it("refuses a paused test's deletion too", async () => {
    const paused = await createDraft(alice, { videoId: await addVideo(alice, "Paused video") });
    await setTest(db, paused.id, { status: "paused" });
    await expectError(await call(alice, "DELETE", `/api/tests/${paused.id}`), 409, "conflict");
    expect((await testRow(db, paused.id))?.status).toBe("paused");
  });
});

describe("editing with bad input", () => {
  let draft: { id: string };
  beforeAll(async () => {
    draft = await createDraft(alice);
  });
  const future = (days: number) => new Date(Date.now() + days * 24 * 3_600_000).toISOString();

  const cases: [string, unknown][] = [
    ["an empty body", {}],
    ["a variant the test does not have", { titles: [{ variant: 3, text: "Fourth" }] }],
    ["a variant out of range", { titles: [{ variant: 9, text: "Tenth" }] }],
    [
      "a variant named twice",
      {
        titles: [
          { variant: 1, text: "One" },
          { variant: 1, text: "Uno" },
        ],
      },
    ],
    ["a rename that duplicates another variant", { titles: [{ variant: 2, text: "a SHARPER title" }] }],
    ["a title with <", { titles: [{ variant: 1, text: "<script>" }] }],
    ["an end in the past", { endAt: new Date(Date.now() - 60_000).toISOString() }],
    ["an end before two rounds of every title", { endAt: future(0.1) }],
    ["an end past 30 days", { endAt: future(31) }],
    ["a malformed end", { endAt: "next week" }],
    ["an unknown field", { status: "running" }],
  ];
  for (const [name, body] of cases) {
    it(`refuses ${name} with a 400, changing nothing`, async () => {
      const before = await testRow(db, draft.id);
      const titlesBefore = await titlesOf(draft.id);
      const counts = await rowCounts(db, alice.id);
      await expectError(await call(alice, "PATCH", `/api/tests/${draft.id}`, body), 400, "validation_failed");
      expect(await testRow(db, draft.id)).toEqual(before);
      expect(await titlesOf(draft.id)).toEqual(titlesBefore);
      expect(await rowCounts(db, alice.id)).toEqual(counts);
    });
  }

  it("refuses an apply-winner variant the test does not have", async () => {
    const running = await createDraft(alice, { videoId: await addVideo(alice, "Apply video") });
    await setTest(db, running.id, { status: "running" });
    await expectError(
      await call(alice, "POST", `/api/tests/${running.id}/apply-winner`, { variant: 4 }),
      400,
      "validation_failed",
    );
    await expectError(
      await call(alice, "POST", `/api/tests/${running.id}/apply-winner`, { variant: -1 }),
      400,
      "validation_failed",
    );
    expect((await testRow(db, running.id))?.status).toBe("running");
  });

  it("refuses bad list filters", async () => {
    await expectError(await call(alice, "GET", "/api/tests?status=bogus"), 400, "validation_failed");
    await expectError(await call(alice, "GET", "/api/tests?status=draft,"), 400, "validation_failed");
    await expectError(await call(alice, "GET", "/api/tests?limit=0"), 400, "validation_failed");
    await expectError(await call(alice, "GET", "/api/tests?limit=1000"), 400, "validation_failed");
  });
});

/** Every route that takes a test id, as a creator would aim it at `testId`. */
function routesAt(testId: string): [string, string, unknown?][] {
  return [
    ["GET", `/api/tests/${testId}`],
    ["PATCH", `/api/tests/${testId}`, { autoApply: false }],
    ["PATCH", `/api/tests/${testId}`, { titles: [{ variant: 1, text: "Hijacked" }] }],
    ["DELETE", `/api/tests/${testId}`],
    ["POST", `/api/tests/${testId}/start`],
    ["POST", `/api/tests/${testId}/pause`],
    ["POST", `/api/tests/${testId}/resume`],
    ["POST", `/api/tests/${testId}/stop`],
    ["POST", `/api/tests/${testId}/apply-winner`, { variant: 1 }],
    ["GET", `/api/tests/${testId}/results`],
    ["GET", `/api/tests/${testId}/export.csv`],
  ];
}

describe("ownership and ids", () => {
  it("answers 404 on every route for another creator's test, in every status, changing nothing", async () => {
    const draft = await createDraft(alice);
    const running = await createDraft(alice, { videoId: await addVideo(alice, "Victim video") });
    await setTest(db, running.id, { status: "running" });
    await insertSlots(db, running.id, [
      {
        slotIndex: 0,
        variant: 0,
        block: 0,
        startedAt: new Date(Date.now() - 3_600_000),
        endedAt: null,
        viewsStart: 10,
        viewsEnd: null,
      },
    ]);
    const victims = [draft, running];
    const rowsBefore = await Promise.all(victims.map((t) => testRow(db, t.id)));
    const countsBefore = await rowCounts(db, alice.id);
    const bobBefore = await rowCounts(db, bob.id);

    for (const victim of victims) {
      for (const [method, path, body] of routesAt(victim.id)) {
        const res = await call(bob, method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
        const json = (await res.json()) as ErrorJson;
        expect(json.error.code).toBe("not_found");
      }
    }
    expect(await Promise.all(victims.map((t) => testRow(db, t.id)))).toEqual(rowsBefore);
    expect(await rowCounts(db, alice.id)).toEqual(countsBefore);
    expect(await rowCounts(db, bob.id)).toEqual(bobBefore);
    // Nor does bob's list or dashboard show alice's tests.
    const list = await expectJson<{ items: { id: string }[] }>(await call(bob, "GET", "/api/tests"), 200);
    expect(list.items.map((t) => t.id)).not.toContain(draft.id);
    const dashboard = await expectJson<{ byStatus: Record<string, number> }>(
      await call(bob, "GET", "/api/dashboard"),
      200,
    );
    expect(dashboard.byStatus.running ?? 0).toBe(0);
  });

  it("answers 404 for a well-formed id no test has", async () => {
    for (const [method, path, body] of routesAt(crypto.randomUUID())) {
      expect((await call(alice, method, path, body)).status, `${method} ${path}`).toBe(404);
    }
  });

  it("answers 400, never 500, for malformed ids", async () => {
    const before = await rowCounts(db, alice.id);
    for (const bad of ["not-a-uuid", "123", "' or 1=1 --", "00000000-0000-0000-0000-00000000000g"]) {
      for (const [method, path, body] of routesAt(encodeURIComponent(bad))) {
        const res = await call(alice, method, path, body);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(((await res.json()) as ErrorJson).error.code).toBe("validation_failed");
      }
    }
    expect(await rowCounts(db, alice.id)).toEqual(before);
  });
});
