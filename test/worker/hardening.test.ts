import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consumeJobs } from "../../worker/jobs/consumer";
import { errorFields } from "../../worker/logging/logger";
import { readQuotaConfig } from "../../worker/quota/config";
import { oauthClientOf } from "../../worker/youtube/from-env";
import { APP, fetchWith } from "./auth-fixtures";

/** Security headers, the secrets a quota project may name, and what reaches the logs. */

afterEach(() => vi.restoreAllMocks());

/** Every console line written while `work` runs. */
async function captureLogs(work: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  }
  try {
    await work();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

describe("security headers", () => {
  it("go on API answers, errors included, with the policy the SPA gets", async () => {
    for (const path of ["/api/health", "/api/nope"]) {
      const res = await fetchWith(env, `${APP}${path}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      for (const directive of [
        "default-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
      ]) {
        expect(csp, path).toContain(directive);
      }
      expect(csp).toMatch(/img-src 'self'[^;]* https:\/\/i\.ytimg\.com https:\/\/yt3\.ggpht\.com/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("permissions-policy")).toContain("camera=()");
    }
  });

  it("add HSTS and drop loopback images in production only", async () => {
    const local = await fetchWith(env, `${APP}/api/health`);
    expect(local.headers.get("strict-transport-security")).toBeNull();
    expect(local.headers.get("content-security-policy")).toContain("http://127.0.0.1:*");
    const production = await fetchWith({ ...env, ENVIRONMENT: "production" }, `${APP}/api/health`);
    expect(production.headers.get("strict-transport-security")).toMatch(/max-age=\d{8}/);
    expect(production.headers.get("content-security-policy")).not.toContain("127.0.0.1");
  });
});

describe("quota projects' secret names", () => {
  const TOKEN = "hardening-admin-token-0123456789";
  const adminEnv = { ...env, ADMIN_API_TOKEN: TOKEN };
  const post = (body: unknown) =>
    fetchWith(adminEnv, `${APP}/api/admin/quota/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const good = {
    id: "refs-check",
    clientId: "refs-client",
    clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
    apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
    dailyLimit: 10_000,
  };

  it.each([
    ["the session keys as a client secret", { clientSecretRef: "SESSION_KEYS" }, "clientSecretRef"],
    ["the database URL as an API key", { apiKeyRef: "DATABASE_URL" }, "apiKeyRef"],
    ["the token keys as an API key", { apiKeyRef: "TOKEN_ENCRYPTION_KEYS" }, "apiKeyRef"],
    ["an API key as a client secret", { clientSecretRef: "YOUTUBE_API_KEY_LOCAL_1" }, "clientSecretRef"],
  ])("refuses %s with a 400 at the admin API", async (_case, change, path) => {
    const res = await post({
      ...good,
      id: `refs-${path.length}-${Object.values(change)[0]?.length}`,
      ...change,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.issues.map((i) => i.path)).toContain(path);
  });

  it("leaves out a configured project naming another secret, and says so", async () => {
    const projects = JSON.stringify([
      { ...good, id: "ok" },
      { ...good, id: "leaky", clientSecretRef: "SESSION_KEYS", apiKeyRef: "DATABASE_URL" },
    ]);
    let config: ReturnType<typeof readQuotaConfig> | undefined;
    const lines = await captureLogs(async () => {
      config = readQuotaConfig({ QUOTA_PROJECTS: projects });
    });
    expect(config?.projects.map((p) => p.id)).toEqual(["ok"]);
    const line = lines.find((l) => l.includes("quota.project_ignored"));
    expect(line).toContain('"project":"leaky"');
    expect(line).toContain('"level":"error"');
  });

  it("never reads another secret as a project's client secret", async () => {
    const leaky = JSON.stringify([{ ...good, id: "leaky-2", clientSecretRef: "SESSION_KEYS" }]);
    const err = await oauthClientOf({ ...env, QUOTA_PROJECTS: leaky }, "leaky-2").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.stringify(err)).not.toContain(env.SESSION_KEYS as string);
  });
});

describe("error logs", () => {
  const SECRET = "v1.c2VjcmV0LWl2.c2VjcmV0LWNpcGhlcnRleHQ";

  it("keep a failed query's statement and drop its parameters and credentials", () => {
    const err = new Error(`Failed query: select 1 from users where token = $1\nparams: ${SECRET},a@b.c`, {
      cause: new Error(`invalid input syntax for type uuid: "${SECRET}" (refresh_token=1//0gSecretRefresh)`),
    });
    const text = JSON.stringify(errorFields(err));
    expect(text).toContain("Failed query: select 1 from users where token = $1");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("a@b.c");
    expect(text).not.toContain("0gSecretRefresh");
    const sameLine = JSON.stringify(errorFields(new Error(`boom params: ${SECRET}`)));
    expect(sameLine).not.toContain(SECRET);
    const bearer = JSON.stringify(
      errorFields(new Error("GET failed: Authorization: Bearer ya29.a0SecretToken")),
    );
    expect(bearer).not.toContain("a0SecretToken");
  });

  it("of the queue consumer carry no query parameter", async () => {
    // A job whose query fails in Postgres: drizzle's error carries the parameters after `params:`.
    const acked: string[] = [];
    const retried: string[] = [];
    const message = {
      id: "hardening-job-1",
      timestamp: new Date(),
      attempts: 1,
      body: { type: "test.finished", userId: SECRET, testId: SECRET },
      ack: () => acked.push("1"),
      retry: () => retried.push("1"),
    };
    const batch = {
      queue: "ttp-jobs",
      messages: [message],
      ackAll: () => undefined,
      retryAll: () => undefined,
    } as unknown as MessageBatch<unknown>;
    const lines = await captureLogs(() => consumeJobs(batch, env));
    expect(retried).toEqual(["1"]);
    const failed = lines.find((l) => l.includes("job failed"));
    expect(failed).toBeDefined();
    expect(failed).toContain("Failed query");
    expect(lines.join("\n")).not.toContain(SECRET);
  });
});
