import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { rateLimiter } from "../../durable-objects/rate-limiter/stub";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { FAMILIES } from "../metrics/families";
import { recordCount } from "../metrics/record";
import { timed } from "./init";

/** Requests per minute by default: per client IP on every API route, per user on signed-in routes. */
export const RATE_LIMITS = { ip: 600, user: 300 } as const;

const WINDOW_SECONDS = 60;

/**
 * Tokens an isolate asks for at once: a twentieth of the limit (30 of 600). More would strand
 * budget in isolates a client no longer reaches; fewer would call the object more often.
 */
const LEASE_SHARE = 20;

/** Keys an isolate remembers at most; past that it starts afresh (leases are only a cache). */
const MAX_KEYS = 10_000;

/** Tokens this isolate holds for a key, limit and window. */
interface Allowance {
  windowEnd: number;
  tokens: number;
  /** The object granted nothing: every token of the window is out. */
  spent: boolean;
}

const allowances = new Map<string, Allowance>();

/** Whether one request may go on, and if not, in how many seconds to try again. */
interface Decision {
  allowed: boolean;
  retryAfter: number;
}

function limitOf(setting: string | undefined, fallback: number): number {
  const value = Number(setting);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * The client's key: an IPv4 address as is, an IPv6 address by its /64 (one subscriber usually holds
 * a whole /64, so keying by full address would give each client 2^64 budgets).
 */
function clientKey(ip: string | undefined): string {
  if (!ip) return "ip:unknown";
  if (!ip.includes(":")) return `ip:${ip}`;
  const [head = "", tail = ""] = ip.toLowerCase().split("%")[0]?.split("::") ?? [];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = Math.max(0, 8 - left.length - right.length);
  const groups = ip.includes("::") ? [...left, ...Array(missing).fill("0"), ...right] : left;
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `ip6:${prefix.join(":")}::/64`;
}

/**
 * Leases in flight in this isolate, by slot, with when each began. A request that finds no token
 * while a lease is in flight polls for its tokens instead of leasing too, so a burst of parallel
 * requests costs one call to the object. It must not await the other request's promise: in
 * Workers the code after such an await runs in that other request's context, where its own I/O
 * fails ("Cannot perform I/O on behalf of a different request") or is cancelled with it.
 */
const leasing = new Map<string, number>();

/** How often a waiting request looks for the tokens of a lease in flight. */
const POLL_MS = 1;

/** A lease in flight longer than this is taken for lost (its request was cancelled): lease anew. */
const LEASE_DEADLINE_MS = 2_000;

/** Spends one token of `key`, leasing more from its RateLimiter object when none is left here. */
async function take(c: Context<AppEnv>, key: string, limit: number): Promise<Decision> {
  const slot = `${key}\u0000${limit}`;
  for (;;) {
    const now = Date.now();
    const held = allowances.get(slot);
    if (held && now < held.windowEnd) {
      if (held.tokens > 0) {
        held.tokens--;
        return { allowed: true, retryAfter: 0 };
      }
      // The object said the window's budget is spent: no need to ask it again before the window ends.
      if (held.spent)
        return { allowed: false, retryAfter: Math.max(1, Math.ceil((held.windowEnd - now) / 1000)) };
    }
    const began = leasing.get(slot);
    if (began !== undefined && now - began < LEASE_DEADLINE_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    leasing.set(slot, now);
    try {
      await refill(c, key, slot, limit);
    } finally {
      if (leasing.get(slot) === now) leasing.delete(slot);
    }
  }
}

/** Leases a share of the limit for `slot`, adding it to what this isolate holds of the window. */
async function refill(c: Context<AppEnv>, key: string, slot: string, limit: number): Promise<void> {
  const want = Math.max(1, Math.floor(limit / LEASE_SHARE));
  const lease = await timed(c, "limit", () => rateLimiter(c.env, key).lease(limit, WINDOW_SECONDS, want));
  if (allowances.size >= MAX_KEYS) allowances.clear();
  const windowEnd = lease.windowStart + WINDOW_SECONDS * 1000;
  const held = allowances.get(slot);
  const carried = held?.windowEnd === windowEnd ? held.tokens : 0;
  allowances.set(slot, { windowEnd, tokens: carried + lease.granted, spent: lease.granted === 0 });
}

/**
 * Whether a request may go on when its RateLimiter fails. Reads, liveness and sign-in fail open:
 * a broken limiter must not take down the whole API, and these are what a creator needs to keep
 * using it (and what an operator needs to see it). Writes fail closed with a 503, since they are
 * what a limit protects (YouTube quota, Postgres).
 */
function failsOpen(c: Context<AppEnv>): boolean {
  const { method, path } = c.req;
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || path.startsWith("/api/auth/");
}

async function enforce(c: Context<AppEnv>, key: string, limit: number): Promise<void> {
  let decision: Decision;
  try {
    decision = await take(c, key, limit);
  } catch (err) {
    const open = failsOpen(c);
    recordCount(c.env, FAMILIES.rateLimiterFailures.name, { mode: open ? "open" : "closed" });
    c.var.log.warn("rate limiter failed", {
      failOpen: open,
      error: err instanceof Error ? err.message : String(err),
    });
    if (open) return;
    throw new AppError("not_ready", "Request limits are unavailable; try again in a moment.");
  }
  if (!decision.allowed) {
    c.header("retry-after", String(decision.retryAfter));
    throw new AppError("rate_limited", "Too many requests; slow down.", {
      retryAfterSeconds: decision.retryAfter,
    });
  }
}

/** Limits requests per client (Cloudflare's `CF-Connecting-IP`; IPv6 by /64). */
export const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  await enforce(
    c,
    clientKey(c.req.header("cf-connecting-ip")),
    limitOf(c.env.RATE_LIMIT_PER_IP, RATE_LIMITS.ip),
  );
  await next();
});

/** Limits requests per signed-in user (after `requireUser`: by the user its verified token names). */
export const limitPerUser = createMiddleware<AppEnv>(async (c, next) => {
  const userId = c.var.session?.userId;
  if (userId) await enforce(c, `user:${userId}`, limitOf(c.env.RATE_LIMIT_PER_USER, RATE_LIMITS.user));
  await next();
});
