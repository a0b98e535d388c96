import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import { unique } from "./youtube-fixtures";

const TOKEN = "test-admin-token-operations-0123";
const adminEnv = { ...env, ADMIN_API_TOKEN: TOKEN };
const { db, close } = openDb(env);
afterAll(() => close());

async function operations(token: string | null) {
  const ctx = createExecutionContext();
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  const res = await worker.fetch(
    new Request("https://app.test/api/admin/operations", { headers }),
    adminEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("GET /api/admin/operations", () => {
  it("lists open alerts (not cleared ones) and the latest dead letters with their total", async () => {
    const kind = unique("ops-page");
    await db.insert(schema.alerts).values([
      { kind, subject: "open", severity: "critical", message: "still wrong" },
      { kind, subject: "closed", severity: "warning", message: "fixed", clearedAt: new Date() },
    ]);
    const messageId = unique("dead");
    await db.insert(schema.deadLetters).values({
      queue: "ttp-jobs",
      messageId,
      jobType: "channel.sync",
      body: { type: "channel.sync" },
      attempts: 5,
    });
    const res = await operations(TOKEN);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      alerts: { kind: string; subject: string }[];
      deadLetters: { total: number; latest: { jobType: string; attempts: number }[] };
    };
    expect(body.alerts.filter((a) => a.kind === kind).map((a) => a.subject)).toEqual(["open"]);
    expect(body.deadLetters.total).toBeGreaterThanOrEqual(1);
    expect(body.deadLetters.latest.some((d) => d.jobType === "channel.sync" && d.attempts === 5)).toBe(true);
    await db.delete(schema.deadLetters).where(eq(schema.deadLetters.messageId, messageId));
  });

  it("is for operators only", async () => {
    expect((await operations(null)).status).toBe(401);
    expect((await operations("not-the-token")).status).toBe(401);
  });
});
