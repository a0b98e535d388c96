import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";

describe("health and readiness", () => {
  it("answers liveness with a request id", async () => {
    const res = await SELF.fetch("https://app.test/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is ready when Postgres, KV and both Durable Objects answer", async () => {
    const res = await SELF.fetch("https://app.test/api/ready");
    const body = await res.json();
    expect(body).toEqual({
      status: "ready",
      checks: { postgres: "ok", kv: "ok", quotaLedger: "ok", testRotator: "ok" },
    });
    expect(res.status).toBe(200);
  });

  it("turns 503 and names Postgres when the database is unreachable", async () => {
    // A proxy address nobody listens on: the database is down as far as the Worker can tell.
    const downEnv = { ...env, DB_WS_PROXY: "127.0.0.1:9" };
    const ctx = createExecutionContext();
    try {
      const res = await worker.fetch(new Request("https://app.test/api/ready"), downEnv, ctx);
      expect(res.status).toBe(503);
      const body = (await res.json()) as {
        error: { code: string; message: string; details: Record<string, string> };
      };
      expect(body.error.code).toBe("not_ready");
      expect(Object.keys(body.error.details)).toEqual(["postgres"]);
      expect(body.error.message).toContain("postgres");
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
