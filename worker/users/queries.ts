import { eq } from "drizzle-orm";
import { users } from "../../schema";
import type { Plan } from "../auth/plans";
import type { Db } from "../db/client";
import { bumpSessionVersion } from "./sessions";

/** Who sets a plan: an admin (a complimentary plan) or billing (Stripe's webhooks). */
export type PlanSetter = "admin" | "billing";

/**
 * Sets a user's plan. A change ends the user's sessions (their version is bumped), so no session or
 * cached principal keeps the old plan. The plan remembers who set it: billing never changes an
 * admin's paid plan, and an admin's Free hands the account back to billing (docs/BILLING.md).
 * Answers whether the user exists.
 */
export async function setPlan(db: Db, env: Env, userId: string, plan: Plan, by: PlanSetter = "admin") {
  const planSource = by === "admin" && plan === "free" ? "default" : by;
  const [current] = await db.$primary
    .select({ plan: users.plan, planSource: users.planSource })
    .from(users)
    .where(eq(users.id, userId));
  if (!current) return false;
  if (current.plan === plan) {
    if (current.planSource !== planSource)
      await db.update(users).set({ planSource }).where(eq(users.id, userId));
    return true;
  }
  return bumpSessionVersion(db, env, userId, { plan, planSource });
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
