import { loadOwner } from "../../durable-objects/test-rotator/mirror";
import type { Db } from "../db/client";
import { markNeedsReauth, youtubeUserOf } from "../users/youtube-user";
import type { YouTubeClient, YouTubeUser } from "../youtube/client";
import { YouTubeError } from "../youtube/errors";
import { youtubeClient } from "../youtube/from-env";

/**
 * Runs a background job's YouTube calls for a creator, at background priority, with the grant
 * stored for them: one read of their row (`loadOwner`, as the TestRotator reads its test's owner)
 * gives their plan, status and grant. A creator who is gone or waits to reconnect answers null
 * without a call; a grant found revoked marks them `needs_reauth` (only while it is still the
 * stored one) and answers null too: the job has nothing to retry, the app asks them to reconnect.
 */
export async function asCreator<T>(
  db: Db,
  env: Env,
  userId: string,
  calls: (client: YouTubeClient, user: YouTubeUser) => Promise<T>,
): Promise<T | null> {
  const owner = await loadOwner(db, userId);
  if (!owner || owner.status === "needs_reauth") return null;
  try {
    const user = await youtubeUserOf(env, { id: userId, plan: owner.plan }, owner);
    return await calls(youtubeClient(env), { ...user, priority: "background" });
  } catch (err) {
    if (!(err instanceof YouTubeError && err.kind === "auth_revoked")) throw err;
    await markNeedsReauth(env, db, userId, owner.refreshTokenEnc ?? undefined);
    return null;
  }
}
