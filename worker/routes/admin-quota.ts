import { Hono } from "hono";
import { z } from "zod";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { dailyLimitSchema, quotaProjectConfigSchema } from "../quota/config";
import { validate } from "../validation";

const projectIdParam = z.object({ id: quotaProjectConfigSchema.shape.id });
const limitBody = z.strictObject({ dailyLimit: dailyLimitSchema });

/**
 * Quota administration under `/api/admin/quota` (behind `adminAuth`): the ledger's status, adding
 * or replacing a project, and changing a project's daily limit. Changes take effect at once.
 */
export const adminQuotaRoutes = new Hono<AppEnv>()
  .get("/quota", async (c) => c.json(await quotaLedger(c.env).status()))
  .post("/quota/projects", validate("json", quotaProjectConfigSchema), async (c) => {
    const config = c.req.valid("json");
    // A grant carries the key read from this secret: a project without it would only fail later.
    if (typeof Reflect.get(c.env, config.apiKeyRef) !== "string") {
      throw new AppError(
        "unprocessable",
        `No secret named ${config.apiKeyRef} is bound: run wrangler secret put ${config.apiKeyRef} first`,
      );
    }
    const { project, created } = await quotaLedger(c.env).upsertProject(config);
    return c.json({ project, created }, created ? 201 : 200);
  })
  .patch("/quota/projects/:id", validate("param", projectIdParam), validate("json", limitBody), async (c) => {
    const { id } = c.req.valid("param");
    const project = await quotaLedger(c.env).setDailyLimit(id, c.req.valid("json").dailyLimit);
    if (!project) throw new AppError("not_found", `No quota project ${id}`);
    return c.json({ project });
  });
