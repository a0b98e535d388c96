import { describe, expect, it } from "vitest";
import { crashPoints } from "../../durable-objects/test-rotator/fault-points";
import {
  creatorWithVideo,
  liveSnippet,
  record,
  rotator,
  scheduledTest,
  slot,
  slotChain,
  step,
  updatesOf,
} from "./fixtures";

/**
 * A crash between any two steps of a rotation (the alarm throws, as when the isolate is evicted)
 * must leave a state from which the next run finishes the job: no second videos.update, no slot
 * counted twice, Postgres equal to the object's own record.
 */
describe("a crash between steps", () => {
  it.each(crashPoints)("at %s: the retry finishes the rotation without a second update", async (point) => {
    const creator = await creatorWithVideo();
    // Two variants alternate strictly, so every boundary changes the title.
    const testId = await scheduledTest(creator, [`Crash challenger ${point}`]);
    await rotator(testId).start(testId);
    await step(testId);

    await rotator(testId).injectCrash(point);
    await expect(slot(testId)).rejects.toThrow(/injected crash/);
    // The platform retries a failed alarm; here the test runs it (re-arming it as the sweep would,
    // should the failed run have left none).
    if (!(await step(testId))) {
      await rotator(testId).rearm();
      await step(testId);
    }
    await slot(testId);

    const { slots } = await record(testId);
    expect(slots.length).toBeGreaterThanOrEqual(3);
    expect(slotChain(slots)).toEqual([]);
    const own = await rotator(testId).slots();
    expect(slots.map((s) => [s.slotIndex, s.variant, s.viewsStart, s.viewsEnd])).toEqual(
      own.map((s) => [s.slotIndex, s.variant, s.viewsStart, s.viewsEnd]),
    );
    // One update per title change and not one more (the video starts on the original, variant 0).
    const changes = slots.filter((s, i) => s.variant !== (i === 0 ? 0 : slots[i - 1]?.variant)).length;
    const updates = (await updatesOf(creator.videoId)).filter((u) => u.status === 200);
    expect(updates).toHaveLength(changes);
    const journal = (await rotator(testId).history()).map((e) => e.step);
    expect(journal).toContain("crash");
  });

  it("while finishing: the retry sees the original title back and sends nothing more", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Crash while stopping"]);
    await rotator(testId).start(testId);
    await step(testId);
    // Run until the challenger is live, so that stopping has to change the title back.
    for (let i = 0; i < 3 && (await record(testId)).slots.at(-1)?.variant === 0; i++) await slot(testId);
    const before = (await updatesOf(creator.videoId)).filter((u) => u.status === 200).length;
    await rotator(testId).injectCrash("after-update");
    await rotator(testId).stop();
    // The stop's finish step runs on its own alarm (due now): it crashes after the update.
    await step(testId).catch(() => undefined);
    await step(testId);
    if ((await rotator(testId).view())?.nextStepAt !== null) {
      await rotator(testId).rearm();
      await step(testId);
    }
    const { test } = await record(testId);
    expect(test?.status).toBe("stopped");
    expect(test?.finalTitleSetAt).not.toBeNull();
    expect((await liveSnippet(creator.videoId)).title).toBe(creator.original);
    const after = (await updatesOf(creator.videoId)).filter((u) => u.status === 200).length;
    expect(after - before).toBe(1);
    expect((await rotator(testId).history()).map((e) => e.step)).toContain("crash");
  });

  it("before the last copy: Postgres still learns that the test ended", async () => {
    const creator = await creatorWithVideo();
    const testId = await scheduledTest(creator, ["Crash before the last copy"]);
    await rotator(testId).start(testId);
    await step(testId);
    await rotator(testId).injectCrash("before-copy");
    await rotator(testId).stop();
    // The finish step crashes after it set the title, before telling Postgres.
    await step(testId).catch(() => undefined);
    // A copy still owed keeps an alarm of its own: running it brings Postgres up to date.
    await step(testId);
    const { test } = await record(testId);
    expect(test?.status).toBe("stopped");
    expect(test?.finalTitleSetAt).not.toBeNull();
    expect((await rotator(testId).history()).map((e) => e.step)).toContain("crash");
  });
});
