import { eq } from "drizzle-orm";
import { users } from "../../schema";
import { decryptSecret } from "../auth/token-crypto";
import type { Db } from "../db/client";
import { enqueueJob } from "../queue/send";
import { revokeToken } from "../youtube";
import { forgetAccessToken } from "../youtube/access-tokens";
import { oauthDeps } from "../youtube/from-env";
import { forgetPrincipal } from "./principal";

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

/**
 * Deletes an account and every row of it (the schema cascades from `users`), after revoking the
 * Google grant. If Google cannot be reached, the revocation becomes a background job that carries
 * only the ciphertext, so the deletion itself never waits on Google.
 */
export async function deleteAccount(env: Env, db: Db, userId: string): Promise<void> {
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
  await forgetPrincipal(env, userId);
  await forgetAccessToken(env.CACHE, userId);
}
