import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";

const METRICS_TOKEN = "health-test-metrics-token";
const operatorEnv = { ...env, METRICS_TOKEN };
const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };

/** Asks /api/ready of a Worker with `workerEnv` (its own execution context). */
async function ready(workerEnv: Env, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  return worker.fetch(new Request("https://app.test/api/ready", { headers }), workerEnv, ctx);
}

describe("health and readiness", () => {
  it("answers liveness with a request id", async () => {
    const res = await SELF.fetch("https://app.test/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("tells anyone only that it is ready", async () => {
    const res = await ready(operatorEnv);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("names every checked part to the metrics token", async () => {
    const res = await ready(operatorEnv, bearer);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ready",
      checks: { postgres: "ok", kv: "ok", quotaLedger: "ok", testRotator: "ok" },
    });
    const wrong = await ready(operatorEnv, { authorization: "Bearer not-the-token" });
    expect(await wrong.json()).toEqual({ status: "ready" });
  });

  it("turns 503 when the database is unreachable, with the reason only for the metrics token", async () => {
    // A proxy address nobody listens on: the database is down as far as the Worker can tell.
    const downEnv = { ...operatorEnv, DB_WS_PROXY: "127.0.0.1:9" };
    try {
      const res = await ready(downEnv);
      expect(res.status).toBe(503);
      const text = await res.text();
      const body = JSON.parse(text) as { error: { code: string; message: string; details?: unknown } };
      expect(body.error).toMatchObject({ code: "not_ready", message: "Not ready." });
      expect(body.error.details).toBeUndefined();
      expect(text).not.toContain("postgres");
      expect(text).not.toContain("127.0.0.1");

      const detailed = await ready(downEnv, bearer);
      expect(detailed.status).toBe(503);
      const details = ((await detailed.json()) as { error: { details: Record<string, string> } }).error
        .details;
      expect(details.postgres).not.toBe("ok");
      expect(details).toMatchObject({ kv: "ok", quotaLedger: "ok", testRotator: "ok" });
    } finally {
      // The driver's settings are per isolate: point them back at the working proxy.
      const res = await SELF.fetch("https://app.test/api/ready");
      expect(res.status).toBe(200);
    }
  });

  it("answers unknown API routes with a JSON 404", async () => {
    const res = await SELF.fetch("https://app.test/api/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});
