import { env, SELF } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { openHttpDb } from "../../worker/db/http";
import { reusableStatement } from "../../worker/db/reusable";
import { forgetPrincipal } from "../../worker/users/principal";
import { as, createGoogleAccount, signIn } from "./auth-fixtures";
import { requestsAtProxy, requestsSince } from "./sql-requests";

/** A condition true for every row whose SQL text carries `marker`, to find this test's requests. */
function tagged(marker: string) {
  return sql.raw(`'${marker}' <> ''`);
}

/** The Postgres error code of a failure: drizzle wraps single statements' errors, not batches'. */
function codeOf(error: unknown): unknown {
  const { cause } = error as { cause?: unknown };
  return ((cause ?? error) as { code?: unknown }).code;
}

describe("the Worker's HTTP database (drizzle neon-http through the local proxy)", () => {
  it("reads several tables in one batch: one HTTP request, one transaction", async () => {
    const { db, reads } = openHttpDb(env);
    const marker = `m${crypto.randomUUID().replaceAll("-", "")}`;
    const [user] = await db
      .insert(schema.users)
      .values({ googleSub: `sub-${marker}`, email: `${marker}@example.com`, name: "Zoë" })
      .returning();
    if (!user) throw new Error("no user");
    const [test] = await db
      .insert(schema.tests)
      .values({
        userId: user.id,
        videoId: `vid-${marker}`,
        videoTitleOriginal: "Original",
        intervalMinutes: 60,
      })
      .returning();
    if (!test) throw new Error("no test");
    await db.insert(schema.titles).values([
      { testId: test.id, variant: 0, text: "Original" },
      { testId: test.id, variant: 1, text: "Challenger ✓" },
    ]);

    const [users, tests, titles] = await reads.batch([
      reads
        .select()
        .from(schema.users)
        .where(and(eq(schema.users.id, user.id), tagged(marker))),
      reads
        .select()
        .from(schema.tests)
        .where(and(eq(schema.tests.userId, user.id), tagged(marker))),
      reads
        .select({ variant: schema.titles.variant, text: schema.titles.text })
        .from(schema.titles)
        .where(and(eq(schema.titles.testId, test.id), tagged(marker)))
        .orderBy(schema.titles.variant),
    ]);
    expect(users.map((u) => u.email)).toEqual([`${marker}@example.com`]);
    expect(tests.map((t) => [t.id, t.status, t.createdAt instanceof Date])).toEqual([
      [test.id, "draft", true],
    ]);
    expect(titles).toEqual([
      { variant: 0, text: "Original" },
      { variant: 1, text: "Challenger ✓" },
    ]);

    const ours = (await requestsAtProxy()).recent.filter((r) => r.statements.some((s) => s.includes(marker)));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.batch).toBe(true);
    expect(ours[0]?.statements).toHaveLength(3);
    expect(ours[0]?.status).toBe(200);
  });

  it("runs a reusable statement with each call's own values, mapped as the builder maps them", async () => {
    const { db, reads } = openHttpDb(env);
    const made = await db
      .insert(schema.users)
      .values(
        [0, 1].map(() => {
          const marker = crypto.randomUUID();
          return { googleSub: `sub-${marker}`, email: `${marker}@example.com`, name: `Zoë ${marker}` };
        }),
      )
      .returning();
    const byId = reusableStatement(["id", "email"], (d, p) =>
      d
        .select()
        .from(schema.users)
        .where(and(eq(schema.users.id, p.id), eq(schema.users.email, p.email))),
    );
    const [first, second] = made;
    if (!first || !second) throw new Error("no users");
    // Twice, so the second round runs the statement built in the first.
    for (let round = 0; round < 2; round++) {
      const [a, b, none, plain] = await reads.batch([
        byId(reads, { id: first.id, email: first.email }),
        byId(reads, { id: second.id, email: second.email }),
        byId(reads, { id: first.id, email: second.email }),
        reads.select().from(schema.users).where(eq(schema.users.id, second.id)),
      ]);
      expect(a).toEqual([first]);
      expect(b).toEqual([second]);
      expect(none).toEqual([]);
      expect(b).toEqual(plain);
      expect(b[0]?.createdAt).toBeInstanceOf(Date);
    }
  });

  it("runs a read batch as one read-only snapshot (repeatable read), a write batch as read committed", async () => {
    const { db, reads, freshReads } = openHttpDb(env);
    const settings = (on: typeof db) =>
      on.batch([
        on.execute(sql`select current_setting('transaction_isolation') as isolation`),
        on.execute(sql`select current_setting('transaction_read_only') as read_only`),
      ]);
    for (const readsOn of [reads, freshReads]) {
      const [isolation, readOnly] = await settings(readsOn);
      expect([isolation.rows[0]?.isolation, readOnly.rows[0]?.read_only]).toEqual(["repeatable read", "on"]);
    }
    const [isolation, readOnly] = await settings(db);
    expect([isolation.rows[0]?.isolation, readOnly.rows[0]?.read_only]).toEqual(["read committed", "off"]);
  });

  it("refuses a write in a read batch, and rolls back a failing write batch", async () => {
    const { db, reads } = openHttpDb(env);
    const email = `${crypto.randomUUID()}@example.com`;
    const refused = await reads
      .batch([reads.insert(schema.users).values({ googleSub: crypto.randomUUID(), email })])
      .then(
        () => undefined,
        (error: unknown) => codeOf(error),
      );
    expect(refused).toBe("25006");

    const duplicate = await db
      .batch([
        db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email }),
        db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email }),
      ])
      .then(
        () => undefined,
        (error: unknown) => codeOf(error),
      );
    expect(duplicate).toBe("23505");
    expect(await db.select().from(schema.users).where(eq(schema.users.email, email))).toEqual([]);
  });

  it("looks a signed-in user's principal up in one HTTP select on a KV miss", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const [user] = await openHttpDb(env)
      .reads.select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.email, account.email));
    if (!user) throw new Error("no user");
    await forgetPrincipal(env, user.id);
    const before = (await requestsAtProxy()).total;

    // A route that does not check the session in its own read (its data comes over the Pool).
    const res = await SELF.fetch("https://app.test/api/me", as(session));
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/(^|, )session;dur=/);

    // The proxy's requests since `before` are this request's: the principal, a single select of
    // the user's row with its session version.
    const principal = (await requestsSince(before)).filter(
      (r) => !r.batch && r.statements.some((s) => /from "users"/.test(s) && s.includes('"session_version"')),
    );
    expect(principal).toHaveLength(1);
    expect(principal[0]?.status).toBe(200);
  });
});
