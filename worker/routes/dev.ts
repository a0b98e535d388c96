import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { timeLapseEnabled } from "../../durable-objects/test-rotator/time-lapse";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { fetchReach } from "../jobs/reach";
import { limitPerUser } from "../middleware/rate-limit";
import { requireUser, userOf } from "../middleware/session";
import { testIdParam } from "../title-tests/input";
import { runDueStep } from "../title-tests/time-lapse";
import { validate } from "../validation";

/**
 * Without the time-lapse these routes do not exist (404, before any session check): production
 * pins DEV_TIME_LAPSE "off" and ignores it even if set.
 */
const timeLapseOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!timeLapseEnabled(c.env)) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  await next();
});

/**
 * The local time-lapse that `npm run demo:ctr` drives (scripts/demo-ctr.ts): a CTR test's days
 * are hours of the emulator's clock apart, so its steps and its owner's reach fetch are run on
 * request instead of waiting for real midnights and the 15:00 UTC cron. Signed-in owners only.
 */
export const devRoutes = new Hono<AppEnv>()
  .use("*", timeLapseOnly, requireUser, limitPerUser)
  // The creator's test runs its armed step now, at the step's own time.
  .post("/tests/:id/step", validate("param", testIdParam), async (c) => {
    const scope = { env: c.env, db: c.var.db(), log: c.var.log, user: userOf(c) };
    return c.json(await runDueStep(scope, c.req.valid("param").id));
  })
  // What the daily `reach.fetch` job does for the signed-in creator, now: new reports stored.
  .post("/reach/fetch", async (c) => {
    const fetched = await fetchReach(c.var.db(), c.env, userOf(c).id);
    if (!fetched) throw new AppError("needs_reauth", "Reconnect your YouTube account first.");
    return c.json(fetched);
  });
