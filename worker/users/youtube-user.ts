import { and, eq } from "drizzle-orm";
import { users } from "../../schema";
import { plans } from "../auth/plans";
import { decryptSecret } from "../auth/token-crypto";
import type { Db } from "../db/client";
import type { YouTubeClient, YouTubeUser } from "../youtube/client";
import { YouTubeError } from "../youtube/errors";
import { youtubeClient } from "../youtube/from-env";
import type { Principal } from "./principal";
import { forgetPrincipal } from "./principal";

/**
 * Marks a user whose Google grant is gone; the UI then asks them to reconnect. With `grant` (the
 * ciphertext that failed), only while that grant is still the stored one: a user who reconnected
 * meanwhile keeps their new grant.
 */
export async function markNeedsReauth(env: Env, db: Db, userId: string, grant?: string): Promise<void> {
  const which =
    grant === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.refreshTokenEnc, grant));
  await db.update(users).set({ status: "needs_reauth", updatedAt: new Date() }).where(which);
  await forgetPrincipal(env, userId);
}

/** A user's stored Google grant: the project their consent belongs to, the refresh token's ciphertext. */
export interface StoredGrant {
  project: string | null;
  refreshTokenEnc: string | null;
}

/**
 * The user as the YouTube client needs them: their project and decrypted refresh token, from the
 * grant stored for them (routes read it from Postgres, a TestRotator keeps its owner's copy).
 */
export async function youtubeUserOf(
  env: Env,
  user: Pick<Principal, "id" | "plan">,
  grant: StoredGrant | undefined,
): Promise<YouTubeUser> {
  if (!grant?.project || !grant.refreshTokenEnc) {
    throw new YouTubeError("auth_revoked", "no Google grant is stored for this user");
  }
  return {
    id: user.id,
    project: grant.project,
    refreshToken: await decryptSecret(env, user.id, grant.refreshTokenEnc),
    priority: plans[user.plan].quotaPriority,
    plan: user.plan,
  };
}

async function storedGrantOf(db: Db, userId: string): Promise<StoredGrant | undefined> {
  const [row] = await db.$primary
    .select({ project: users.oauthProjectId, refreshTokenEnc: users.refreshTokenEnc })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

/**
 * Runs YouTube calls for a signed-in user. A lost grant is discovered by whichever call meets it:
 * the user is marked `needs_reauth` there, and the error goes on to the route's caller.
 */
export async function actForUser<T>(
  env: Env,
  db: Db,
  principal: Principal,
  calls: (client: YouTubeClient, user: YouTubeUser) => Promise<T>,
): Promise<T> {
  try {
    return await calls(
      youtubeClient(env),
      await youtubeUserOf(env, principal, await storedGrantOf(db, principal.id)),
    );
  } catch (err) {
    if (err instanceof YouTubeError && err.kind === "auth_revoked")
      await markNeedsReauth(env, db, principal.id);
    throw err;
  }
}
