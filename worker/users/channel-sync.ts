import { eq } from "drizzle-orm";
import { users } from "../../schema";
import type { Db } from "../db/client";
import { openHttpDb } from "../db/http";
import { YouTubeError } from "../youtube/errors";
import { loadPrincipal } from "./principal";
import { actForUser } from "./youtube-user";

/**
 * The `channel.sync` job: re-reads a creator's channel and stores its title and avatar when they
 * changed (a redelivery writes the same values again: nothing changes twice). A creator without a
 * grant is left to reconnect; that is not a failure to retry.
 */
export async function syncChannel(db: Db, env: Env, userId: string): Promise<void> {
  const principal = await loadPrincipal(env, () => openHttpDb(env).freshReads, userId);
  if (!principal || principal.status === "needs_reauth") return;
  try {
    const channel = await actForUser(env, db, principal, (client, user) =>
      client.getMyChannel({ ...user, priority: "background" }, { fresh: true }),
    );
    await db
      .update(users)
      .set({
        channelTitle: channel.title,
        channelAvatarUrl: channel.thumbnailUrl ?? null,
        updatedAt: new Date(),
      })
      .where(eq(users.id, userId));
  } catch (err) {
    // actForUser has marked the creator needs_reauth; the app asks them to reconnect.
    if (err instanceof YouTubeError && err.kind === "auth_revoked") return;
    throw err;
  }
}
