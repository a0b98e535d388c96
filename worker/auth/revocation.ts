import { SESSION_MAX_AGE_SECONDS } from "./session";

/**
 * Revocation markers in KV. The principal cache (`worker/users/principal.ts`) can be rewritten by
 * a request that read Postgres just before a revocation; these keys are written only by the
 * revocation itself, so no stale cache write can undo one. Each lives as long as any token it
 * could refuse (a session's absolute lifetime) and is read with the cache, in one bulk KV read.
 */

/** Past the absolute lifetime of any session a marker could concern. */
const MARKER_TTL_SECONDS = SESSION_MAX_AGE_SECONDS + 24 * 3600;

/** A session version above any a user can reach: the floor of a deleted user. */
export const DELETED_FLOOR = Number.MAX_SAFE_INTEGER;

const floorKey = (userId: string) => `session-floor:${userId}`;
const revokedKey = (sessionId: string) => `session-revoked:${sessionId}`;

/** The KV keys of the markers that could refuse a session: its user's floor, its own sign-out. */
export function markerKeys(session: { userId: string; sessionId: string }) {
  return { floor: floorKey(session.userId), revoked: revokedKey(session.sessionId) };
}

/** Refuses, from now on, every session of `userId` whose version is below `floor`. */
export async function raiseSessionFloor(kv: KVNamespace, userId: string, floor: number): Promise<void> {
  await kv.put(floorKey(userId), String(floor), { expirationTtl: MARKER_TTL_SECONDS });
}

/** Refuses, from now on, the one session `sessionId` (sign-out). */
export async function markSessionRevoked(kv: KVNamespace, sessionId: string): Promise<void> {
  await kv.put(revokedKey(sessionId), "1", { expirationTtl: MARKER_TTL_SECONDS });
}

/** Whether a session is refused by its markers, as a bulk KV read of its `markerKeys` found them. */
export function isRevokedIn(
  found: ReadonlyMap<string, string | null>,
  session: { userId: string; sessionId: string; version: number },
): boolean {
  const keys = markerKeys(session);
  const floor = found.get(keys.floor);
  return found.get(keys.revoked) != null || (floor != null && session.version < Number(floor));
}
