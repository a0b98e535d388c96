import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import { forgetPrincipal } from "../../worker/users/principal";
import { APP, as, createGoogleAccount, ORIGIN_HEADER, signIn } from "./auth-fixtures";

/**
 * Two creators, A and B. Every route that takes an id must answer B with a 404 for A's resources
 * (never a 403 that confirms they exist), and every signed-in route a 401 without a session.
 */
const { db, close } = openDb(env);
afterAll(() => close());

let a: { id: string; session: string };
let b: { id: string; session: string };

async function creator() {
  const account = await createGoogleAccount();
  const { session } = await signIn(account.email);
  const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
  return { id: user?.id as string, session };
}

beforeAll(async () => {
  a = await creator();
  b = await creator();
});

/** Routes that take an id, as B would aim them at A's resources. */
function routesAimedAt(victim: { id: string }) {
  return [
    ["PUT", `/api/admin/users/${victim.id}/plan`, { plan: "authority" }],
    ["PATCH", "/api/admin/quota/projects/local-1", { dailyLimit: 1 }],
  ] as const;
}

describe("ownership and roles", () => {
  it("answers 404 to a creator aiming id-taking routes at another user's resources", async () => {
    for (const [method, path, body] of routesAimedAt(a)) {
      const res = await SELF.fetch(
        `${APP}${path}`,
        as(b.session, {
          method,
          body: JSON.stringify(body),
          headers: { "content-type": "application/json" },
        }),
      );
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const [victim] = await db.select().from(schema.users).where(eq(schema.users.id, a.id));
    expect(victim?.plan).toBe("free");
  });

  it("lets an admin's session reach the admin routes", async () => {
    await db.update(schema.users).set({ role: "admin" }).where(eq(schema.users.id, b.id));
    await forgetPrincipal(env, b.id);
    const res = await SELF.fetch(
      `${APP}/api/admin/users/${a.id}/plan`,
      as(b.session, {
        method: "PUT",
        body: JSON.stringify({ plan: "pro" }),
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(200);
    // A plan change ends A's sessions (their version is bumped); A signs in again to see it.
    expect((await SELF.fetch(`${APP}/api/me`, as(a.session))).status).toBe(401);
    const [aUser] = await db.select().from(schema.users).where(eq(schema.users.id, a.id));
    a.session = (await signIn(aUser?.email as string)).session;
    const me = (await (await SELF.fetch(`${APP}/api/me`, as(a.session))).json()) as {
      plan: string;
      limits: { activeTests: number };
    };
    expect(me).toMatchObject({ plan: "pro", limits: { activeTests: 10 } });
    const bad = await SELF.fetch(
      `${APP}/api/admin/users/${a.id}/plan`,
      as(b.session, {
        method: "PUT",
        body: JSON.stringify({ plan: "platinum" }),
        headers: { "content-type": "application/json" },
      }),
    );
    expect(bad.status).toBe(400);
    const unknown = await SELF.fetch(
      `${APP}/api/admin/users/00000000-0000-4000-8000-000000000000/plan`,
      as(b.session, {
        method: "PUT",
        body: JSON.stringify({ plan: "pro" }),
        headers: { "content-type": "application/json" },
      }),
    );
    expect(unknown.status).toBe(404);
    await db.update(schema.users).set({ role: "user" }).where(eq(schema.users.id, b.id));
    await forgetPrincipal(env, b.id);
  });

  it("answers 401 to every id-taking route without a session or token", async () => {
    for (const [method, path, body] of routesAimedAt(a)) {
      const res = await SELF.fetch(`${APP}${path}`, {
        method,
        body: JSON.stringify(body),
        headers: { ...ORIGIN_HEADER, "content-type": "application/json" },
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });
});
