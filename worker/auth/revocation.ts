import { SESSION_MAX_AGE_SECONDS } from "./session";

/**
 * Revocation markers in KV. The principal cache (`worker/users/principal.ts`) can be rewritten by
 * a request that read Postgres just before a revocation; these keys are written only by the
 * revocation itself, so no stale cache write can undo one. Each lives as long as any token it
 * could refuse (a session's absolute lifetime) and is read alongside the cache, in parallel.
 */

/** Past the absolute lifetime of any session a marker could concern. */
const MARKER_TTL_SECONDS = SESSION_MAX_AGE_SECONDS + 24 * 3600;

/** A session version above any a user can reach: the floor of a deleted user. */
export const DELETED_FLOOR = Number.MAX_SAFE_INTEGER;

const floorKey = (userId: string) => `session-floor:${userId}`;
const revokedKey = (sessionId: string) => `session-revoked:${sessionId}`;

/** Refuses, from now on, every session of `userId` whose version is below `floor`. */
export async function raiseSessionFloor(kv: KVNamespace, userId: string, floor: number): Promise<void> {
  await kv.put(floorKey(userId), String(floor), { expirationTtl: MARKER_TTL_SECONDS });
}

/** Refuses, from now on, the one session `sessionId` (sign-out). */
export async function markSessionRevoked(kv: KVNamespace, sessionId: string): Promise<void> {
  await kv.put(revokedKey(sessionId), "1", { expirationTtl: MARKER_TTL_SECONDS });
}

/** Whether a session (its user, id and version) has been revoked by a marker. */
export async function isSessionRevoked(
  kv: KVNamespace,
  session: { userId: string; sessionId: string; version: number },
): Promise<boolean> {
  const [floor, revoked] = await Promise.all([
    kv.get(floorKey(session.userId)),
    kv.get(revokedKey(session.sessionId)),
  ]);
  return revoked !== null || (floor !== null && session.version < Number(floor));
}
