import { eq } from "drizzle-orm";
import { users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { HttpDb } from "../db/http";

/** The signed-in user as every route sees it: who they are and what they may do. */
export interface Principal {
  id: string;
  email: string;
  plan: Plan;
  role: "user" | "admin";
  status: "active" | "needs_reauth";
  sessionVersion: number;
}

const PRINCIPAL_TTL_SECONDS = 300;
const cacheKey = (userId: string) => `principal:${userId}`;

/**
 * The principal of `userId`, from KV when cached (so most requests never touch Postgres for
 * auth), else from Postgres in one HTTP round trip on `read` (the primary, so a revocation is seen
 * at once; opens no WebSocket). `null` when the user does not exist (deleted).
 */
export async function loadPrincipal(env: Env, read: () => HttpDb, userId: string): Promise<Principal | null> {
  const cached = await env.CACHE.get<Principal>(cacheKey(userId), "json");
  if (cached) return cached;
  const [row] = await read()
    .select({
      id: users.id,
      email: users.email,
      plan: users.plan,
      role: users.role,
      status: users.status,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) return null;
  await env.CACHE.put(cacheKey(userId), JSON.stringify(row), { expirationTtl: PRINCIPAL_TTL_SECONDS });
  return row;
}

/** Drops the cached principal: call after any change to the user's plan, role, status or sessions. */
export async function forgetPrincipal(env: Env, userId: string): Promise<void> {
  await env.CACHE.delete(cacheKey(userId));
}
