import { and, eq } from "drizzle-orm";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import { tests } from "../../schema";
import type { Db } from "../db/client";

/**
 * After a creator reconnects Google, the tests that stopped for want of a grant go on by
 * themselves: each rotator resumes with the next slot. Answers how many resumed; a rotator that
 * cannot be reached now leaves its test waiting for the creator's own "resume".
 */
export async function resumeAfterReconnect(env: Env, db: Db, userId: string): Promise<number> {
  const waiting = await db.$primary
    .select({ id: tests.id })
    .from(tests)
    .where(and(eq(tests.userId, userId), eq(tests.status, "needs_reauth")));
  const answers = await Promise.allSettled(waiting.map(({ id }) => testRotator(env, id).resume()));
  return answers.filter((a) => a.status === "fulfilled" && a.value.ok).length;
}
