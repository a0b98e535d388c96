import { and, eq, sql } from "drizzle-orm";
import type { RotatorControl } from "../../durable-objects/test-rotator/contract";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import { deadLetters, tests, users } from "../../schema";
import { liveTestStatuses } from "../../schema/test-statuses";
import { decryptSecret } from "../auth/token-crypto";
import type { Db } from "../db/client";
import { errorFields, type Logger } from "../logging/logger";
import { enqueueJob } from "../queue/send";
import { revokeToken } from "../youtube";
import { forgetAccessToken } from "../youtube/access-tokens";
import { oauthDeps } from "../youtube/from-env";
import { endSessionsOfDeletedUser } from "./sessions";

/**
 * Revokes the Google grant of a deleted account when Google could not be reached at deletion.
 * Carries only the ciphertext; it decrypts with the (deleted) user's id.
 */
export interface GoogleRevokeJob {
  type: "google.revoke";
  userId: string;
  refreshTokenEnc: string;
}

/**
 * Revokes a user's Google grant (YouTube's terms require it when they leave). The token is kept
 * encrypted until then; decryption needs the id of the user it belonged to.
 */
export async function revokeGoogleGrant(env: Env, userId: string, refreshTokenEnc: string): Promise<void> {
  await revokeToken(oauthDeps(env), await decryptSecret(env, userId, refreshTokenEnc));
}

/** How often, and how far apart, a stopped test is looked at until its original title is back. */
const RESTORE_CHECKS = 40;
const RESTORE_CHECK_MS = 250;

/**
 * Stops a live test through its rotator (which puts the original title back where the live one
 * is ours) and waits, boundedly, for that finishing step to run while the grant still exists.
 * Answers whether the title was handed back in time.
 */
async function stopAndRestore(rotator: RotatorControl): Promise<boolean> {
  const answer = await rotator.stop();
  if (!answer.ok) return answer.code === "not_found";
  for (let check = 0; check < RESTORE_CHECKS; check++) {
    const view = await rotator.view();
    if (!view || view.pendingFinalVariant === null) return true;
    await new Promise((resolve) => setTimeout(resolve, RESTORE_CHECK_MS));
  }
  return false;
}

/**
 * Deletes an account, in the order that leaves nothing running or readable behind:
 * 1. every live test is stopped (original titles restored) and every TestRotator of the user
 *    forgotten — a rotator left armed would act for a user who is gone;
 * 2. the Google grant is revoked (if Google cannot be reached, a background job carrying only the
 *    ciphertext does it, so the deletion never waits on Google);
 * 3. the user's rows go (the schema cascades from `users`), dead letters holding their ciphertext
 *    are purged, and every session of theirs is refused at once.
 */
export async function deleteAccount(env: Env, db: Db, userId: string, log?: Logger): Promise<void> {
  const owned = await db.$primary
    .select({ id: tests.id, status: tests.status })
    .from(tests)
    .where(eq(tests.userId, userId));
  for (const test of owned) {
    const rotator: RotatorControl = testRotator(env, test.id);
    try {
      if ((liveTestStatuses as readonly string[]).includes(test.status) && !(await stopAndRestore(rotator))) {
        log?.warn("account.delete.title_not_restored", { testId: test.id });
      }
      await rotator.forget();
    } catch (err) {
      // The row's deletion below leaves any object that missed this to forget itself.
      log?.warn("account.delete.rotator_failed", { testId: test.id, ...errorFields(err) });
    }
  }

  const [row] = await db.$primary
    .select({ refreshTokenEnc: users.refreshTokenEnc })
    .from(users)
    .where(eq(users.id, userId));
  if (row?.refreshTokenEnc) {
    try {
      await revokeGoogleGrant(env, userId, row.refreshTokenEnc);
    } catch {
      const job: GoogleRevokeJob = { type: "google.revoke", userId, refreshTokenEnc: row.refreshTokenEnc };
      await enqueueJob(env, job);
    }
  }
  await db.delete(users).where(eq(users.id, userId));
  // A job that failed every retry is stored whole: one of this user's carrying a ciphertext goes.
  await db
    .delete(deadLetters)
    .where(
      and(
        sql`${deadLetters.body}->>'userId' = ${userId}`,
        sql`${deadLetters.body}->>'refreshTokenEnc' is not null`,
      ),
    );
  await endSessionsOfDeletedUser(env, userId);
  await forgetAccessToken(env.CACHE, userId);
}
