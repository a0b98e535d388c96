import { env, runInDurableObject } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { TestRotator } from "../../durable-objects/test-rotator/test-rotator";
import { openDb } from "../../worker/db/client";
import { metricsShards } from "../../worker/metrics/record";
import { rearmLateTests } from "../../worker/title-tests/sweep";
import { forgetAccessToken } from "../../worker/youtube/access-tokens";
import { signIn } from "../worker/auth-fixtures";
import {
  advance,
  creatorWithVideo,
  emulatorAdmin,
  HOUR,
  liveSnippet,
  record,
  rotator,
  scheduledTest,
  setCtrs,
  slot,
  slotChain,
  step,
  timeline,
  updatesOf,
  userStatus,
} from "./fixtures";

/** A second video on the creator's channel (a test per video). */
async function secondVideo(creator: { channelId: string }): Promise<string> {
  const video = await emulatorAdmin<{ id: string }>("POST", "/videos", {
    channelId: creator.channelId,
    title: "Second video",
    categoryId: "26",
    viewsPerDay: 2_400,
  });
  return video.id;
}

/** `ttp_rotations_total{outcome}` as the scrape would sum it over the MetricsRecorder shards. */
async function rotationsCounted(outcome: string): Promise<number> {
  const snapshots = await Promise.all(metricsShards(env).map((shard) => shard.snapshot()));
  return snapshots
    .flatMap((s) => s.counters)
    .filter((c) => c.name === "ttp_rotations_total" && c.labels.outcome === outcome)
    .reduce((sum, c) => sum + c.value, 0);
}

describe("a test from start to winner", () => {
  it("rotates hourly, declares the title with twice the CTR the winner and leaves it live, one update per change", async () => {
    const creator = await creatorWithVideo();
    const challengers = ["Challenger strong", "Challenger plain"];
    await setCtrs(creator.videoId, {
      [creator.original]: 0.04,
      "Challenger strong": 0.08,
      "Challenger plain": 0.04,
    });
    const testId = await scheduledTest(creator, challengers);
    const [rotatedBefore, finishedBefore] = [
      await rotationsCounted("rotated"),
      await rotationsCounted("finished"),
    ];
    const started = await rotator(testId).start(testId);
    expect(started.ok).toBe(true);

    await step(testId); // the first slot opens at once
    let view = await rotator(testId).view();
    expect(view?.status).toBe("running");
    for (let i = 0; i < 60 && view?.nextStepAt !== null; i++) {
      await slot(testId);
      view = await rotator(testId).view();
    }

    const { test, slots } = await record(testId);
    expect(test?.status).toBe("completed");
    expect(test?.decision).toBe("winner");
    expect(test?.winnerVariant).toBe(1);
    expect(test?.finalVariant).toBe(1);
    expect(test?.finalTitleSetAt).not.toBeNull();
    expect(test?.winnerLift).toBeGreaterThan(0.2);
    // At least two complete blocks of three slots before the verdict.
    expect(slots.length).toBeGreaterThanOrEqual(6);
    expect(slots.every((s) => s.endedAt !== null)).toBe(true);
    expect(slotChain(slots)).toEqual([]);

    const live = await liveSnippet(creator.videoId);
    expect(live.title).toBe("Challenger strong");
    // Only the title ever changed: description and tags are as the creator wrote them.
    expect(live.description).toBe("A description the test must never wipe");
    expect(live.tags).toEqual(["kitchen", "test"]);

    // One videos.update per title change and no more: the timeline's API changes are the updates.
    const updates = await updatesOf(creator.videoId);
    const apiChanges = (await timeline(creator.videoId)).titles.filter((t) => t.source === "api");
    expect(updates.filter((u) => u.status === 200)).toHaveLength(apiChanges.length);
    expect(updates.every((u) => u.status === 200)).toBe(true);
    // Every rotation and the finish were counted for /api/metrics (summed over the shards; the
    // rotator sends its counts without waiting, so they may land a moment later).
    await vi.waitFor(async () => {
      expect(await rotationsCounted("rotated")).toBeGreaterThanOrEqual(rotatedBefore + slots.length - 1);
      expect(await rotationsCounted("finished")).toBeGreaterThan(finishedBefore);
    });
    const changes = slots.filter((s, i) => i > 0 && s.variant !== slots[i - 1]?.variant).length;
    const firstNeedsChange = slots[0]?.variant !== 0 ? 1 : 0;
    const finalNeedsChange = slots.at(-1)?.variant !== 1 ? 1 : 0;
    expect(updates).toHaveLength(changes + firstNeedsChange + finalNeedsChange);
  });
});

describe("control", () => {
  it("pauses without counting the pause, resumes with a new slot, and stop restores the original title", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Paused challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    await slot(testId);
    const paused = await rotator(testId).pause();
    expect(paused.ok && paused.view.status).toBe("paused");
    expect(paused.ok && paused.view.nextStepAt).toBeNull();
    const afterPause = await record(testId);
    expect(afterPause.test?.status).toBe("paused");
    expect(afterPause.slots.every((s) => s.endedAt !== null)).toBe(true);
    // A paused test has no alarm: nothing runs while the creator holds it.
    expect(await step(testId)).toBe(false);
    // Pausing twice is refused as a conflict.
    expect(await rotator(testId).pause()).toMatchObject({ ok: false, code: "conflict" });

    await advance(5 * HOUR);
    const resumed = await rotator(testId).resume();
    expect(resumed.ok && resumed.view.status).toBe("running");
    await step(testId);
    const afterResume = await record(testId);
    expect(afterResume.slots).toHaveLength(afterPause.slots.length + 1);
    // The paused hours belong to no slot.
    const [last, previous] = [afterResume.slots.at(-1), afterResume.slots.at(-2)];
    expect(last?.viewsStart).toBeGreaterThan(previous?.viewsEnd ?? 0);

    const stopped = await rotator(testId).stop();
    expect(stopped.ok && stopped.view.status).toBe("stopped");
    await step(testId); // the finish step (it also runs on its own alarm)
    const done = await record(testId);
    expect(done.test?.status).toBe("stopped");
    expect(done.test?.finalTitleSetAt).not.toBeNull();
    expect((await liveSnippet(creator.videoId)).title).toBe(creator.original);
    expect(await rotator(testId).resume()).toMatchObject({ ok: false, code: "conflict" });
  });

  it("refuses to start a test twice or one that is not scheduled", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Twice"]);
    expect((await rotator(testId).start(testId)).ok).toBe(true);
    expect(await rotator(testId).start(testId)).toMatchObject({ ok: false, code: "conflict" });
    const missing = crypto.randomUUID();
    expect(await rotator(missing).start(missing)).toMatchObject({ ok: false, code: "not_found" });
  });
});

describe("what the creator or Google does meanwhile", () => {
  it("pauses on drift and never overwrites the creator's manual title", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Drift challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    await slot(testId);
    const before = (await updatesOf(creator.videoId)).length;
    await advance(10 * 60_000);
    await fetch(`${env.GOOGLE_APIS_URL}/__emulator/videos/${creator.videoId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "My own title" }),
    });
    await slot(testId);
    const { test } = await record(testId);
    expect(test?.status).toBe("paused_drift");
    expect((await updatesOf(creator.videoId)).length).toBe(before);
    expect((await liveSnippet(creator.videoId)).title).toBe("My own title");
    // Stopping now leaves the creator's title too.
    await rotator(testId).stop();
    await step(testId);
    expect((await liveSnippet(creator.videoId)).title).toBe("My own title");
    expect((await updatesOf(creator.videoId)).length).toBe(before);
  });

  it("waits on a quota denial (the slot runs on) and rotates once the ledger grants", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Quota challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    const ledger = env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName("global"));
    const project = (await ledger.status()).projects.find((p) => p.id === "local-1");
    if (!project) throw new Error("no local-1 project");
    const updatesBefore = (await updatesOf(creator.videoId)).length;
    await ledger.setDailyLimit("local-1", project.used + project.reserved);
    try {
      await slot(testId);
      const waiting = await record(testId);
      expect(waiting.slots).toHaveLength(1);
      expect(waiting.slots[0]?.endedAt).toBeNull();
      expect(waiting.test?.status).toBe("running");
      expect((await updatesOf(creator.videoId)).length).toBe(updatesBefore);
    } finally {
      await ledger.setDailyLimit("local-1", project.dailyLimit);
    }
    await slot(testId);
    const rotated = await record(testId);
    expect(rotated.slots).toHaveLength(2);
    expect(slotChain(rotated.slots)).toEqual([]);
    expect((await updatesOf(creator.videoId)).length).toBe(updatesBefore + 1);
  });

  it("retries a boundary read that Google refused for quota behind the ledger's back in a minute, not at the reset", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Key quota challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    const ledger = env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName("global"));
    // The API key's project answers quotaExceeded once though the ledger still sees room: another
    // project may serve the next read, so the test must not wait for the Pacific reset.
    await emulatorAdmin("PUT", "/faults", {
      method: "videos.list",
      project: "local-1",
      failNext: 1,
      status: 403,
    });
    try {
      const boundary = (await rotator(testId).view())?.nextStepAt ?? 0;
      await slot(testId);
      const waiting = await record(testId);
      expect(waiting.slots).toHaveLength(1);
      // The step's time is its boundary (the tests run it early); the retry follows within minutes.
      const next = waiting.test?.nextRotationAt?.getTime() ?? 0;
      expect(next).toBeGreaterThan(boundary);
      expect(next).toBeLessThanOrEqual(boundary + 2 * 60_000);
    } finally {
      await emulatorAdmin("DELETE", "/faults?project=local-1");
      // The ledger learnt that local-1 is spent; the other tests here run on it.
      await runInDurableObject(ledger, (_, state) => {
        state.storage.sql.exec("UPDATE usage SET exhausted_until = NULL");
      });
    }
    await step(testId);
    const rotated = await record(testId);
    expect(rotated.slots).toHaveLength(2);
    expect(slotChain(rotated.slots)).toEqual([]);
  });

  it("asks the creator to reconnect when Google revokes the grant, sends nothing, and goes on after reconnecting", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Revoked challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    const before = (await updatesOf(creator.videoId)).length;
    await fetch(`${env.GOOGLE_APIS_URL}/__emulator/accounts/${encodeURIComponent(creator.email)}/revoke`, {
      method: "POST",
    });
    // Rotate until a title change is due (a block may repeat the live variant).
    for (let i = 0; i < 4 && (await record(testId)).test?.status === "running"; i++) await slot(testId);
    const { test, slots: closed } = await record(testId);
    expect(test?.status).toBe("needs_reauth");
    // The slot ends when the grant is found gone: the wait for the creator is nobody's exposure.
    expect(closed.every((s) => s.endedAt !== null)).toBe(true);
    expect((await updatesOf(creator.videoId)).filter((u) => u.status === 200).length).toBe(before);
    expect(await userStatus(creator.userId)).toBe("needs_reauth");

    await signIn(creator.email);
    const resumed = await record(testId);
    expect(resumed.test?.status).toBe("running");
    // The resume arms its step for now, and the runtime runs it by itself: a step of ours could
    // run the one after it as well (which once counted a slot too many).
    await expect
      .poll(async () => (await record(testId)).slots.length, { timeout: 15_000, interval: 100 })
      .toBe(closed.length + 1);
    const after = await record(testId);
    expect(after.slots).toHaveLength(closed.length + 1);
    expect(after.slots.at(-1)?.endedAt).toBeNull();
    expect((await liveSnippet(creator.videoId)).title).toBe(
      after.slots.at(-1)?.variant === 0 ? creator.original : "Revoked challenger",
    );
  });

  it("keeps a reconnect: a test still holding the revoked grant does not mark the creator again", async () => {
    const creator = await creatorWithVideo();
    const [first, second] = [
      await scheduledTest(creator, ["First of two"]),
      await scheduledTest({ ...creator, videoId: await secondVideo(creator), original: "Second video" }, [
        "Second of two",
      ]),
    ];
    for (const id of [first, second]) {
      await rotator(id).start(id);
      await step(id);
    }
    await fetch(`${env.GOOGLE_APIS_URL}/__emulator/accounts/${encodeURIComponent(creator.email)}/revoke`, {
      method: "POST",
    });
    await forgetAccessToken(env.CACHE, creator.userId);
    // The first test meets the revoked grant (two variants alternate: every boundary changes the title).
    await slot(first);
    expect((await record(first)).test?.status).toBe("needs_reauth");
    await signIn(creator.email);
    expect((await record(first)).test?.status).toBe("running");
    // The second test last heard of the old grant; with no access token cached it tries that one.
    await forgetAccessToken(env.CACHE, creator.userId);
    await slot(second);
    expect(await userStatus(creator.userId)).toBe("active");
    // It picked up the new grant and goes on.
    expect((await record(second)).test?.status).toBe("running");
    await step(second);
    expect((await record(second)).slots.length).toBeGreaterThanOrEqual(2);
  });

  it("ends as video_missing when the video is deleted", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Deleted challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    await fetch(`${env.GOOGLE_APIS_URL}/__emulator/videos/${creator.videoId}`, { method: "DELETE" });
    await slot(testId);
    const { test } = await record(testId);
    expect(test?.status).toBe("video_missing");
    expect(await step(testId)).toBe(false);
  });
});

describe("a copy to Postgres that fails", () => {
  it("at the start keeps an alarm for the copy, then goes back to the start's own", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Copy challenger"], { startsInHours: 5 });
    const { db, close } = openDb(env);
    try {
      // The start's copy writes the `scheduled` event: without its table, the copy fails.
      await db.execute(sql`ALTER TABLE events RENAME TO events_away`);
      try {
        expect((await rotator(testId).start(testId)).ok).toBe(true);
      } finally {
        await db.execute(sql`ALTER TABLE events_away RENAME TO events`);
      }
    } finally {
      await close();
    }
    const alarm = () =>
      runInDurableObject(rotator(testId), (_: TestRotator, state) => state.storage.getAlarm());
    expect((await rotator(testId).history()).map((e) => e.step)).toContain("copy_failed");
    expect(await alarm()).toBeLessThanOrEqual(Date.now() + 2 * 60_000);
    expect((await record(testId)).test?.nextRotationAt).toBeNull();

    // The copy's alarm: Postgres learns of the start, and the alarm moves back to the start time.
    await step(testId);
    const { test, slots } = await record(testId);
    expect(test?.status).toBe("scheduled");
    expect(test?.nextRotationAt?.getTime()).toBeGreaterThan(Date.now() + 4 * HOUR);
    expect(slots).toHaveLength(0);
    expect(await alarm()).toBe(test?.nextRotationAt?.getTime());
  });
});

describe("the stale-test sweep", () => {
  it("re-arms a running test whose alarm was lost, and leaves an armed one alone", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Swept challenger"]);
    await rotator(testId).start(testId);
    await step(testId);
    const due = (await rotator(testId).view())?.nextStepAt ?? 0;
    const { db, close } = openDb(env);
    try {
      // Armed: nothing to do, even long after its boundary.
      await rearmLateTests(env, db, due + 3 * HOUR);
      expect((await rotator(testId).history()).map((e) => e.step)).not.toContain("rearmed");
      await runInDurableObject(rotator(testId), (_: TestRotator, state) => state.storage.deleteAlarm());
      expect(await rearmLateTests(env, db, due + 30 * 60_000)).toBe(0); // late, but not two intervals
      expect(await rearmLateTests(env, db, due + 3 * HOUR)).toBeGreaterThanOrEqual(1);
    } finally {
      await close();
    }
    expect(
      await runInDurableObject(rotator(testId), (_: TestRotator, state) => state.storage.getAlarm()),
    ).not.toBeNull();
    await slot(testId);
    expect((await record(testId)).slots).toHaveLength(2);
  });
});
