import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { userOf } from "../middleware/session";
import { planForVideo, planQuery, videoIdParam } from "../title-tests/plan";
import { uploadsPage } from "../users/uploads";
import { validate } from "../validation";

const listQuery = z.object({
  pageToken: z.string().max(200).optional(),
  refresh: z.enum(["1"]).optional(),
});

/**
 * The creator's uploads for the video picker (`?refresh=1` reads past the cache), and the plan of a
 * test on one of them (`/videos/:id/plan?titles=N&intervalMinutes=M`).
 */
export const videoRoutes = new Hono<AppEnv>()
  .get("/videos", validate("query", listQuery), async (c) => {
    const { pageToken, refresh } = c.req.valid("query");
    return c.json(await uploadsPage(c.env, c.var.db(), userOf(c), { pageToken, fresh: refresh === "1" }));
  })
  .get("/videos/:id/plan", validate("param", videoIdParam), validate("query", planQuery), async (c) => {
    const scope = { env: c.env, db: c.var.db(), log: c.var.log, user: userOf(c) };
    return c.json(await planForVideo(scope, c.req.valid("param").id, c.req.valid("query")));
  });
