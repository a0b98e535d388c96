import { createMiddleware } from "hono/factory";
import { SESSION_COOKIE } from "../auth/session";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { requireUser } from "./session";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Whether `given` equals `expected`, in time independent of where they differ: both are hashed
 * first (so the comparison is also blind to the token's length), then every byte is compared.
 */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return difference === 0;
}

/**
 * Guards `/api/admin/*`: either a signed-in user whose role is `admin` (the admin page), or
 * `Authorization: Bearer <ADMIN_API_TOKEN>` (a Worker secret, for operators' scripts). Signed-in
 * users who are not admins get a 404, as if the route did not exist.
 */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header === undefined && c.req.header("cookie")?.includes(SESSION_COOKIE)) {
    return requireUser(c, async () => {
      if (c.var.user?.role !== "admin") throw new AppError("not_found", "Not found.");
      await next();
    });
  }
  const expected = c.env.ADMIN_API_TOKEN;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
  if (!expected || !given || !(await tokensMatch(given, expected))) {
    c.header("www-authenticate", 'Bearer realm="admin"');
    throw new AppError(
      "unauthenticated",
      "Admin API: sign in as an admin, or send Authorization: Bearer <ADMIN_API_TOKEN>",
    );
  }
  await next();
});
