import { Hono } from "hono";
import { operationsOverview } from "../alerts/operations";
import type { AppEnv } from "../context";

/** What an operator acts on, under `/api/admin/operations` (behind `adminAuth`): alerts and dead letters. */
export const adminOperationsRoutes = new Hono<AppEnv>().get("/operations", async (c) =>
  c.json(await operationsOverview(c.var.db())),
);
