import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { tokensMatch } from "../../worker/middleware/admin-auth";
import type { QuotaProjectStatus, QuotaStatus } from "../../worker/quota/types";
import { projectConfig } from "./quota-fixtures";

const TOKEN = "test-admin-token-0123456789";
const adminEnv = { ...env, ADMIN_API_TOKEN: TOKEN };

type ErrorBody = {
  error: { code: string; message: string; requestId: string; details?: { issues?: { path: string }[] } };
};

/** Calls the Worker with the admin token set as its secret would be. */
async function call(path: string, init: RequestInit & { token?: string | null; env?: Env } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (typeof init.body === "string") headers.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://app.test${path}`, { ...init, headers }),
    init.env ?? adminEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const status = async () => (await (await call("/api/admin/quota")).json()) as QuotaStatus;

describe("admin quota routes: security", () => {
  it.each([
    ["no Authorization header", null, adminEnv],
    ["a wrong token", "not-the-token", adminEnv],
    ["a token with one character changed", `${TOKEN.slice(0, -1)}X`, adminEnv],
    ["a token when ADMIN_API_TOKEN is not set", TOKEN, env],
  ])("answers 401 JSON to %s", async (_case, token, callEnv) => {
    const res = await call("/api/admin/quota", { token, env: callEnv });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("unauthenticated");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("guards the write routes too and changes nothing without the token", async () => {
    const post = await call("/api/admin/quota/projects", {
      method: "POST",
      body: JSON.stringify(projectConfig("sneaky", 10_000)),
      token: null,
    });
    expect(post.status).toBe(401);
    const patch = await call("/api/admin/quota/projects/local-1", {
      method: "PATCH",
      body: '{"dailyLimit":1}',
      token: "x",
    });
    expect(patch.status).toBe(401);
    const projects = (await status()).projects;
    expect(projects.map((p) => p.id)).not.toContain("sneaky");
    expect(projects.find((p) => p.id === "local-1")?.dailyLimit).not.toBe(1);
  });

  it("compares tokens by digest", async () => {
    expect(await tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(await tokensMatch(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(await tokensMatch("", TOKEN)).toBe(false);
  });
});

describe("admin quota routes", () => {
  it("shows the ledger's status without any secret", async () => {
    const res = await call("/api/admin/quota");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(env.YOUTUBE_API_KEY_LOCAL_1 ?? "no key bound");
    expect(text).not.toContain(env.GOOGLE_CLIENT_SECRET_LOCAL_1 ?? "no secret bound");
    const body = JSON.parse(text) as QuotaStatus;
    expect(body.projects.find((p) => p.id === "local-1")).toMatchObject({
      clientId: "local-client-1",
      apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
      dailyLimit: 10_000,
      source: "config",
    });
    expect(body.nextResetAt).toBeGreaterThan(body.now);
    expect(body.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(body.priorities)).toEqual(["premium", "standard", "background"]);
  });

  it("adds a project that takes effect at once, and updates it on a second POST", async () => {
    const config = projectConfig("admin-added", 25_000);
    const created = await call("/api/admin/quota/projects", { method: "POST", body: JSON.stringify(config) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      created: true,
      project: { id: "admin-added", dailyLimit: 25_000, source: "admin" },
    });
    const updated = await call("/api/admin/quota/projects", {
      method: "POST",
      body: JSON.stringify({ ...config, dailyLimit: 30_000 }),
    });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { created: boolean }).created).toBe(false);
    expect((await status()).projects.find((p) => p.id === "admin-added")?.dailyLimit).toBe(30_000);
  });

  it("changes a project's daily limit with PATCH", async () => {
    const res = await call("/api/admin/quota/projects/local-1", {
      method: "PATCH",
      body: JSON.stringify({ dailyLimit: 1_000_000 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { project: QuotaProjectStatus }).project).toMatchObject({
      id: "local-1",
      dailyLimit: 1_000_000,
    });
    expect((await status()).projects.find((p) => p.id === "local-1")?.dailyLimit).toBe(1_000_000);
  });

  it("answers 404 for the limit of an unknown project", async () => {
    const res = await call("/api/admin/quota/projects/nobody", {
      method: "PATCH",
      body: JSON.stringify({ dailyLimit: 10 }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe("not_found");
  });
});

describe("admin quota routes: bad input changes nothing", () => {
  const good = projectConfig("bad-input", 10_000);
  it.each([
    ["a missing field", { ...good, clientId: undefined }, "clientId"],
    ["a negative limit", { ...good, dailyLimit: -1 }, "dailyLimit"],
    ["a fractional limit", { ...good, dailyLimit: 10.5 }, "dailyLimit"],
    ["a limit as a string", { ...good, dailyLimit: "10000" }, "dailyLimit"],
    ["an API key where its secret's name belongs", { ...good, apiKeyRef: "AIzaSyFakeKeyValue" }, "apiKeyRef"],
    ["an id with a slash", { ...good, id: "a/b" }, "id"],
    ["an unknown field", { ...good, apiKey: "AIza-secret" }, ""],
  ])("answers 400 to a project with %s", async (_case, body, path) => {
    const res = await call("/api/admin/quota/projects", { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe("validation_failed");
    expect(error.details?.issues?.map((i) => i.path)).toContain(path);
    expect((await status()).projects.map((p) => p.id)).not.toContain(body.id);
  });

  it("answers 400 to malformed JSON", async () => {
    const res = await call("/api/admin/quota/projects", { method: "POST", body: '{"id": "x",' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toMatch(/bad_request|validation_failed/);
  });

  it("answers 422 to a project whose API key secret is not bound", async () => {
    const res = await call("/api/admin/quota/projects", {
      method: "POST",
      body: JSON.stringify({ ...good, id: "unbound", apiKeyRef: "YOUTUBE_API_KEY_NOT_BOUND" }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.message).toContain("YOUTUBE_API_KEY_NOT_BOUND");
    expect((await status()).projects.map((p) => p.id)).not.toContain("unbound");
  });

  it.each([
    ["zero", { dailyLimit: 0 }],
    ["missing", {}],
    ["too large", { dailyLimit: 2_000_000_000 }],
    ["with extra fields", { dailyLimit: 5, clientId: "x" }],
  ])("answers 400 to a PATCH with a limit %s", async (_case, body) => {
    const before = (await status()).projects.find((p) => p.id === "local-1")?.dailyLimit;
    const res = await call("/api/admin/quota/projects/local-1", {
      method: "PATCH",
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe("validation_failed");
    expect((await status()).projects.find((p) => p.id === "local-1")?.dailyLimit).toBe(before);
  });
});
