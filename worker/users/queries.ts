import { eq, sql } from "drizzle-orm";
import { users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { Db } from "../db/client";
import { forgetPrincipal } from "./principal";

/** Ends every session of the user at once ("sign out everywhere", revocation). */
export async function bumpSessionVersion(db: Db, env: Env, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, userId));
  await forgetPrincipal(env, userId);
}

/** Sets a user's plan (admin). Answers whether the user exists. */
export async function setPlan(db: Db, env: Env, userId: string, plan: Plan): Promise<boolean> {
  const updated = await db
    .update(users)
    .set({ plan, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  await forgetPrincipal(env, userId);
  return updated.length > 0;
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
