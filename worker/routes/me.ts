import { Hono } from "hono";
import { plans } from "../auth/plans";
import { cancelSubscriptionsOf } from "../billing/account-closure";
import { billingStatus } from "../billing/status";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { endSession, userOf } from "../middleware/session";
import { allowedIntervals, intervalChoices } from "../title-tests/intervals";
import { deleteAccount } from "../users/delete-account";
import { accountOf } from "../users/queries";

/** The signed-in user's own account (mounted behind `requireUser`). */
export const meRoutes = new Hono<AppEnv>()
  .get("/me", async (c) => {
    const user = userOf(c);
    const [account, billing] = await Promise.all([
      accountOf(c.var.db(), user.id),
      billingStatus(c.var.db(), user.id),
    ]);
    if (!account) throw new AppError("unauthenticated", "Sign in to continue.");
    const intervals = allowedIntervals(c.env, account.plan);
    return c.json({
      ...account,
      // `intervals`: what this plan may choose here; `intervalChoices`: every interval the app
      // offers, so the SPA can show the ones the plan forbids instead of silently dropping them.
      limits: { ...plans[account.plan], intervals },
      intervalChoices: [...new Set([...intervals, ...intervalChoices])].sort((a, b) => a - b),
      billing,
    });
  })
  .delete("/me", async (c) => {
    const user = userOf(c);
    await cancelSubscriptionsOf({ env: c.env, db: c.var.db(), log: c.var.log }, user.id);
    await deleteAccount(c.env, c.var.db(), user.id, c.var.log);
    endSession(c);
    return c.body(null, 204);
  });
