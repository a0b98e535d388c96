import { and, eq, isNull, sql } from "drizzle-orm";
import { sessions, users } from "../../schema";
import { DELETED_FLOOR, markSessionRevoked, raiseSessionFloor } from "../auth/revocation";
import { SESSION_MAX_AGE_SECONDS } from "../auth/session";
import type { Db } from "../db/client";
import { forgetPrincipal } from "./principal";

/** A session just begun: its id and when it began (seconds), for the token. */
export interface NewSession {
  sessionId: string;
  authTime: number;
}

/** Records a new session of `userId` (at sign-in), ending 90 days from now at the latest. */
export async function createSession(db: Db, userId: string, now = Date.now()): Promise<NewSession> {
  const authTime = Math.floor(now / 1000);
  const [row] = await db
    .insert(sessions)
    .values({
      userId,
      createdAt: new Date(now),
      expiresAt: new Date((authTime + SESSION_MAX_AGE_SECONDS) * 1000),
    })
    .returning({ id: sessions.id });
  if (!row) throw new Error("the session was not recorded");
  return { sessionId: row.id, authTime };
}

/** Ends one session (sign-out): at once through its KV marker, and in its row. */
export async function revokeSession(db: Db, env: Env, userId: string, sessionId: string): Promise<void> {
  await markSessionRevoked(env.CACHE, sessionId);
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/**
 * After the user's session version became `version`: refuses every older session at once (the
 * floor marker, which a stale principal-cache write cannot undo), marks their rows and drops the
 * cached principal.
 */
export async function afterSessionVersionBump(db: Db, env: Env, userId: string, version: number) {
  await raiseSessionFloor(env.CACHE, userId, version);
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  await forgetPrincipal(env, userId);
}

/**
 * Ends every session of the user at once ("sign out everywhere", revocation, a plan change), with
 * `changes` made to the user's row in the same update. Answers whether the user exists.
 */
export async function bumpSessionVersion(
  db: Db,
  env: Env,
  userId: string,
  changes: Partial<Pick<typeof users.$inferInsert, "plan" | "planSource">> = {},
): Promise<boolean> {
  const [row] = await db
    .update(users)
    .set({ ...changes, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ sessionVersion: users.sessionVersion });
  if (row) await afterSessionVersionBump(db, env, userId, row.sessionVersion);
  return row !== undefined;
}

/** Refuses every session of a deleted user, whatever a stale cache write puts back. */
export async function endSessionsOfDeletedUser(env: Env, userId: string): Promise<void> {
  await raiseSessionFloor(env.CACHE, userId, DELETED_FLOOR);
  await forgetPrincipal(env, userId);
}
