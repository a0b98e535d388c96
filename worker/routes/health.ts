import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import type { AppEnv } from "../context";
import { errorBody } from "../errors";
import { tokensMatch } from "../middleware/admin-auth";

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

/** Whether the request carries `Authorization: Bearer <METRICS_TOKEN>` (the operators' probe). */
async function isOperator(expected: string | undefined, header: string | undefined): Promise<boolean> {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
  return expected !== undefined && expected.length > 0 && given !== undefined && tokensMatch(given, expected);
}

/** The checks only an operator's probe runs: the central ledger is not woken by strangers. */
const OPERATOR_ONLY = new Set(["quotaLedger"]);

/**
 * Liveness (`/health`) and readiness (`/ready`). Anyone gets ready / not ready (200 / 503) from
 * Postgres, KV and a TestRotator; the metrics bearer token (`METRICS_TOKEN`) also checks the
 * central QuotaLedger and names each part with its failure — raw driver errors are no stranger's
 * business.
 */
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
    const operator = await isOperator(env.METRICS_TOKEN, c.req.header("authorization"));
    const names = (Object.keys(checks) as (keyof typeof checks)[]).filter(
      (name) => operator || !OPERATOR_ONLY.has(name),
    );
    const results = await Promise.all(names.map((name) => check(checks[name])));
    const ready = results.every((result) => result === undefined);
    c.header("cache-control", "no-store");
    const details = operator
      ? Object.fromEntries(names.map((name, i) => [name, results[i] ?? "ok"]))
      : undefined;
    if (ready) return c.json({ status: "ready", ...(details ? { checks: details } : {}) });
    return c.json(errorBody("not_ready", "Not ready.", c.var.requestId, details), 503);
  });
