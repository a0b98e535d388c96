import { eq } from "drizzle-orm";
import { users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { Db } from "../db/client";
import { bumpSessionVersion } from "./sessions";

/**
 * Sets a user's plan (admin). A change ends the user's sessions (their version is bumped), so no
 * session or cached principal keeps the old plan. Answers whether the user exists.
 */
export async function setPlan(db: Db, env: Env, userId: string, plan: Plan): Promise<boolean> {
  const [current] = await db.$primary.select({ plan: users.plan }).from(users).where(eq(users.id, userId));
  if (!current) return false;
  if (current.plan === plan) return true;
  return bumpSessionVersion(db, env, userId, { plan });
}

/** The account as the user sees it: never the encrypted token. */
export async function accountOf(db: Db, userId: string) {
  const [row] = await db.$primary
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      avatarUrl: users.avatarUrl,
      channelId: users.channelId,
      channelTitle: users.channelTitle,
      channelAvatarUrl: users.channelAvatarUrl,
      plan: users.plan,
      role: users.role,
      status: users.status,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}
