import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { rateLimiter } from "../../durable-objects/rate-limiter/stub";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

/** Requests per minute by default: per client IP on every API route, per user on signed-in routes. */
export const RATE_LIMITS = { ip: 600, user: 300 } as const;

function limitOf(setting: string | undefined, fallback: number): number {
  const value = Number(setting);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

async function enforce(c: Context<AppEnv>, key: string, limit: number): Promise<void> {
  const limiter = rateLimiter(c.env, key);
  const decision = await limiter.hit(limit, 60);
  if (!decision.allowed) {
    c.header("retry-after", String(decision.retryAfterSeconds));
    throw new AppError("rate_limited", "Too many requests; slow down.", {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

/** Limits requests per client IP (Cloudflare's `CF-Connecting-IP`). */
export const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  await enforce(c, `ip:${ip}`, limitOf(c.env.RATE_LIMIT_PER_IP, RATE_LIMITS.ip));
  await next();
});

/** Limits requests per signed-in user (after `requireUser`). */
export const limitPerUser = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user;
  if (user) await enforce(c, `user:${user.id}`, limitOf(c.env.RATE_LIMIT_PER_USER, RATE_LIMITS.user));
  await next();
});
