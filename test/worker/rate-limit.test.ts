import { createExecutionContext, env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { rateLimiterFailing } from "../../worker/alerts/conditions";
import worker from "../../worker/index";
import { as, createGoogleAccount, signIn } from "./auth-fixtures";

function request(path: string, ip: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", ip);
  return new Request(`https://app.test${path}`, { ...init, headers });
}

/**
 * The limiter's window is the wall clock's minute: a test whose requests straddle two minutes sees
 * its count reset midway. Each counting test starts with at least 8 s of its minute left.
 */
async function insideOneWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe("rate limits", () => {
  beforeEach(insideOneWindow);

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

  it("keys IPv6 clients by /64: two addresses of one /64 share a budget, another /64 has its own", async () => {
    const limited = { ...env, RATE_LIMIT_PER_IP: "2" };
    const statuses: number[] = [];
    for (const ip of ["2001:db8:7:9::1", "2001:db8:7:9:ffff:1:2:3", "2001:0db8:0007:0009::abcd"]) {
      const res = await worker.fetch(request("/api/health", ip), limited, createExecutionContext());
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const other = await worker.fetch(
      request("/api/health", "2001:db8:7:a::1"),
      limited,
      createExecutionContext(),
    );
    expect(other.status).toBe(200);
  });
});

/** The Worker's env with a per-IP limit and a RateLimiter namespace that counts its leases. */
function countingLeases(perIp: string) {
  const counter = { leases: 0 };
  const counted = {
    ...env,
    RATE_LIMIT_PER_IP: perIp,
    RATE_LIMITER: {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = env.RATE_LIMITER.get(id);
        return {
          lease: (...args: Parameters<typeof stub.lease>) => {
            counter.leases++;
            return stub.lease(...args);
          },
        };
      },
    } as unknown as typeof env.RATE_LIMITER,
  };
  return { env: counted, counter };
}

describe("rate limit leases", () => {
  beforeEach(insideOneWindow);

  it("spends leased tokens in the isolate: one object call per few requests, none once the window is spent", async () => {
    // 40 a minute: an isolate leases 2 tokens at a time (a twentieth of the limit).
    const { env: counting, counter } = countingLeases("40");
    const statuses: number[] = [];
    for (let i = 0; i < 42; i++) {
      const res = await worker.fetch(
        request("/api/health", "198.51.100.40"),
        counting,
        createExecutionContext(),
      );
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429]);
    // 20 leases of 2 tokens, one more that found the budget spent, and none for the last request.
    expect(counter.leases).toBe(21);
  });

  it("shares one lease among parallel requests and loses no token of the window to them", async () => {
    const { env: counting, counter } = countingLeases("40");
    const send = () =>
      worker.fetch(request("/api/health", "198.51.100.41"), counting, createExecutionContext());
    // A burst of 10 at once: they wait on the lease in flight instead of each leasing (which cost
    // 10 calls and overwrote each other's tokens).
    const burst = await Promise.all(Array.from({ length: 10 }, send));
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(counter.leases).toBe(5);
    // The window's other 30 tokens are all still there, and not one more.
    const rest: number[] = [];
    for (let i = 0; i < 31; i++) rest.push((await send()).status);
    expect(rest.filter((s) => s === 200)).toHaveLength(30);
    expect(rest.at(-1)).toBe(429);
  });
});

describe("rate limits when the RateLimiter fails", () => {
  // A namespace whose objects throw on every call: the object is down or overloaded.
  const broken = {
    ...env,
    RATE_LIMITER: {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: () => ({
        lease: () => Promise.reject(new Error("injected: RateLimiter unavailable")),
      }),
    } as unknown as typeof env.RATE_LIMITER,
  };

  it("lets health, reads and sign-in through, and refuses writes with a 503 (not a 500)", async () => {
    const health = await worker.fetch(
      request("/api/health", "198.51.100.77"),
      broken,
      createExecutionContext(),
    );
    expect(health.status).toBe(200);
    const signIn = await worker.fetch(
      request("/api/auth/google/start", "198.51.100.77"),
      broken,
      createExecutionContext(),
    );
    expect(signIn.status).toBe(302);
    const write = await worker.fetch(
      request("/api/tests", "198.51.100.77", { method: "POST", body: "{}" }),
      broken,
      createExecutionContext(),
    );
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe("not_ready");
  });

  it("raises the cron's alert while the object fails, and none while it answers", async () => {
    const firing = await rateLimiterFailing(broken, Date.now());
    expect(firing.map((f) => f.kind)).toEqual(["rate_limiter.failing"]);
    expect(await rateLimiterFailing(env, Date.now())).toEqual([]);
  });
});

describe("a RateLimiter shard", () => {
  it("keeps each key's window apart and forgets ended windows once it holds many keys", async () => {
    const shard = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`shard-test:${crypto.randomUUID()}`));
    const minute = 60_000;
    const t0 = 1_000 * minute + 5_000;
    expect((await shard.lease("ip:a", 3, 60, 2, t0)).granted).toBe(2);
    expect((await shard.lease("ip:b", 3, 60, 2, t0)).granted).toBe(2);
    expect((await shard.lease("ip:a", 3, 60, 2, t0 + 1)).granted).toBe(1);
    expect((await shard.lease("ip:a", 3, 60, 2, t0 + 2)).granted).toBe(0);
    expect((await shard.lease("ip:b", 3, 60, 2, t0 + 3)).granted).toBe(1);
    // The next minute gives each key its limit again.
    const next = await shard.lease("ip:a", 3, 60, 2, t0 + minute);
    expect(next).toEqual({ granted: 2, windowStart: t0 + minute - 5_000, retryAfterSeconds: 55 });

    // 5,000 keys of that minute: at the 5,000th, "ip:b" (whose minute has ended) is forgotten, and
    // "ip:a" (of this minute) kept; a new key two minutes on sweeps every window.
    await Promise.all(
      Array.from({ length: 5_000 }, (_, i) => shard.lease(`user:${i}`, 10, 60, 1, t0 + minute)),
    );
    expect(await shard.keys()).toBe(5_001);
    await shard.lease("ip:late", 10, 60, 1, t0 + 3 * minute);
    expect(await shard.keys()).toBe(1);
  }, 30_000);
});
