import { env, runDurableObjectAlarm } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { addVideo, call, creator, expectJson, type TestJson } from "./tests-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/** Deleting an account leaves nothing running or readable behind. */
const { db, close } = openDb(env);
afterAll(() => close());

async function liveTitle(videoId: string): Promise<string | undefined> {
  const timeline = await emulatorAdmin<{ titles: { title: string }[] }>("GET", `/videos/${videoId}/timeline`);
  return timeline.titles.at(-1)?.title;
}

describe("account deletion", () => {
  it("stops and forgets the user's rotators (original title back), then purges their ciphertext dead letters", async () => {
    const pat = await creator(db, "pro");
    const videoId = await addVideo(pat, "Deletion original");
    const created = await expectJson<TestJson>(
      await call(pat, "POST", "/api/tests", {
        videoId,
        titles: ["Deletion challenger one", "Deletion challenger two"],
        intervalMinutes: 60,
      }),
      201,
    );
    const stub = testRotator(env, created.id);
    // The start step runs as an alarm the runtime fires by itself, and the slot order is random:
    // the original title may be the first slot's. Run steps until a challenger is live, so the
    // deletion has a title to put back.
    for (let i = 0; i < 100 && (await liveTitle(videoId)) === "Deletion original"; i++) {
      await runDurableObjectAlarm(stub);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const running = await stub.view();
    expect(running?.status).toBe("running");
    expect(await liveTitle(videoId)).not.toBe("Deletion original");

    const [user] = await db.select().from(schema.users).where(eq(schema.users.id, pat.id));
    await db.insert(schema.deadLetters).values([
      {
        queue: "ttp-jobs-dead",
        messageId: `deletion-${pat.id}`,
        jobType: "google.revoke",
        body: { type: "google.revoke", userId: pat.id, refreshTokenEnc: user?.refreshTokenEnc },
        attempts: 5,
      },
      {
        queue: "ttp-jobs-dead",
        messageId: `deletion-other-${pat.id}`,
        jobType: "test.finished",
        body: { type: "test.finished", userId: crypto.randomUUID() },
        attempts: 5,
      },
    ]);

    // The deletion waits for the stopped test's finishing step, which the runtime runs as an
    // alarm; tests run alarms by hand, so they are run here while the deletion waits.
    let answered = false;
    const deletion = call(pat, "DELETE", "/api/me").finally(() => {
      answered = true;
    });
    while (!answered) {
      await runDurableObjectAlarm(stub);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await deletion).status).toBe(204);

    expect(await liveTitle(videoId)).toBe("Deletion original");
    expect(await stub.view()).toBeNull();
    const letters = await db.execute(
      sql`select message_id from dead_letters where message_id in (${`deletion-${pat.id}`}, ${`deletion-other-${pat.id}`})`,
    );
    expect(letters.rows.map((r) => (r as { message_id: string }).message_id)).toEqual([
      `deletion-other-${pat.id}`,
    ]);
    const [gone] = await db.select().from(schema.users).where(eq(schema.users.id, pat.id));
    expect(gone).toBeUndefined();
  }, 60_000);
});
