import { Hono } from "hono";
import { plans } from "../auth/plans";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { endSession, userOf } from "../middleware/session";
import { deleteAccount } from "../users/delete-account";
import { accountOf } from "../users/queries";

/** The signed-in user's own account (mounted behind `requireUser`). */
export const meRoutes = new Hono<AppEnv>()
  .get("/me", async (c) => {
    const user = userOf(c);
    const account = await accountOf(c.var.db(), user.id);
    if (!account) throw new AppError("unauthenticated", "Sign in to continue.");
    return c.json({ ...account, limits: plans[account.plan] });
  })
  .delete("/me", async (c) => {
    const user = userOf(c);
    await deleteAccount(c.env, c.var.db(), user.id);
    endSession(c);
    return c.body(null, 204);
  });
