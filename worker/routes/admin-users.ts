import { Hono } from "hono";
import { z } from "zod";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { planNames } from "../auth/plans";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { setPlan } from "../users/queries";
import { validate } from "../validation";

/** Admin: users' plans (payment integration comes later; until then an admin sets the plan). */
export const adminUserRoutes = new Hono<AppEnv>().put(
  "/users/:id/plan",
  validate("param", z.object({ id: z.uuid() })),
  validate("json", z.object({ plan: z.enum(planNames) })),
  async (c) => {
    const { id } = c.req.valid("param");
    const { plan } = c.req.valid("json");
    if (!(await setPlan(c.var.db(), c.env, id, plan))) throw new AppError("not_found", "No such user.");
    // The plan also sets the user's daily quota cap in the ledger.
    await quotaLedger(c.env).assignProject(id, plan);
    return c.json({ id, plan });
  },
);
