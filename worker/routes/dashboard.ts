import { Hono } from "hono";
import type { AppEnv } from "../context";
import { timed } from "../middleware/init";
import { taggedJson } from "../middleware/revalidation";
import { readsOf, sessionInRead } from "../middleware/session";
import { dashboardOf } from "../title-tests/read-batches";

/**
 * The creator's overview: live tests, views during tests, wins and their average lift. One HTTP
 * batch on the read database (the replica when there is one: the figures are rollups anyway),
 * which checks the session too.
 */
export const dashboardRoutes = new Hono<AppEnv>().get("/dashboard", sessionInRead, async (c) => {
  return taggedJson(c, await timed(c, "db", () => dashboardOf(readsOf(c, c.var.read().reads))));
});
