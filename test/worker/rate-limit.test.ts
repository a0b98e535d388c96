import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { as, createGoogleAccount, signIn } from "./auth-fixtures";

function request(path: string, ip: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", ip);
  return new Request(`https://app.test${path}`, { ...init, headers });
}

describe("rate limits", () => {
  it("answers 429 with Retry-After past the per-IP limit, and counts each IP apart", async () => {
    const limited = { ...env, RATE_LIMIT_PER_IP: "3" };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await worker.fetch(request("/api/health", "198.51.100.7"), limited, createExecutionContext());
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const retryAfter = Number(last?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await last?.json()) as { error: { code: string } };
    expect(body.error.code).toBe("rate_limited");
    const other = await worker.fetch(
      request("/api/health", "198.51.100.8"),
      limited,
      createExecutionContext(),
    );
    expect(other.status).toBe(200);
  });

  it("limits a signed-in user across addresses", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const limited = { ...env, RATE_LIMIT_PER_USER: "2" };
    const statuses: number[] = [];
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      const res = await worker.fetch(request("/api/me", ip, as(session)), limited, createExecutionContext());
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
