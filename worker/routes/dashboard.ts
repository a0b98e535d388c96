import { Hono } from "hono";
import type { AppEnv } from "../context";
import { userOf } from "../middleware/session";
import { dashboardOf } from "../title-tests/queries";

/** The creator's overview: live tests, views during tests, wins and their average lift. */
export const dashboardRoutes = new Hono<AppEnv>().get("/dashboard", async (c) => {
  return c.json(await dashboardOf(c.var.db(), userOf(c).id));
});
