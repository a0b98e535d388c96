import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import type { AppEnv } from "../context";
import { errorBody } from "../errors";

const CHECK_TIMEOUT_MS = 3_000;

/** Resolves to `undefined` when the check passes, or to why it failed. */
async function check(probe: () => Promise<unknown>): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Liveness (`/health`) and readiness (`/ready`: Postgres, KV and both Durable Objects answer). */
export const healthRoutes = new Hono<AppEnv>()
  .get("/health", (c) => c.json({ status: "ok" }))
  .get("/ready", async (c) => {
    const { env } = c;
    const checks = {
      postgres: () => c.var.db().execute(sql`select 1`),
      kv: () => env.CACHE.get("ready-probe"),
      quotaLedger: () => quotaLedger(env).ping(),
      testRotator: () => testRotator(env, "ready-probe").ping(),
    };
    const names = Object.keys(checks) as (keyof typeof checks)[];
    const results = await Promise.all(names.map((name) => check(checks[name])));
    const failing = Object.fromEntries(
      names.flatMap((name, i) => (results[i] === undefined ? [] : [[name, results[i]]])),
    );
    if (Object.keys(failing).length === 0) {
      return c.json({ status: "ready", checks: Object.fromEntries(names.map((n) => [n, "ok"])) });
    }
    const message = `Not ready: ${Object.keys(failing).join(", ")} failing`;
    return c.json(errorBody("not_ready", message, c.var.requestId, failing), 503);
  });
