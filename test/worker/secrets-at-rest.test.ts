import { env, runInDurableObject, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { decryptSecret } from "../../worker/auth/token-crypto";
import { openDb } from "../../worker/db/client";
import { APP, as, createGoogleAccount, signIn } from "./auth-fixtures";

const { db, close } = openDb(env);
afterAll(() => close());

/** Every value in the KV namespace, as text. */
async function everyKvValue(): Promise<string> {
  const values: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CACHE.list({ cursor });
    for (const key of page.keys) values.push(`${key.name}=${await env.CACHE.get(key.name)}`);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return values.join("\n");
}

/** Every row of every table of every public Postgres table, as JSON text. */
async function everyPostgresRow(): Promise<string> {
  const tables = await db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const rows: string[] = [];
  for (const { name } of tables.rows) {
    const dump = await db.execute(sql`select row_to_json(t)::text as row from ${sql.identifier(name)} t`);
    rows.push(JSON.stringify(dump.rows));
  }
  return rows.join("\n");
}

/** Every row of every table in a Durable Object's SQLite storage, as JSON text. */
function everyDurableObjectRow(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "select name from sqlite_master where type = 'table' and name not like '\\_%' escape '\\'",
      )
      .toArray();
    const rows = tables.map(({ name }) =>
      JSON.stringify(state.storage.sql.exec(`select * from "${name}"`).toArray()),
    );
    return rows.join("\n");
  });
}

describe("Google credentials at rest", () => {
  it("keeps the refresh token out of KV, Durable Object storage and every Postgres column after sign-in and a refresh", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
    const userId = user?.id as string;
    const refreshToken = await decryptSecret(env, userId, user?.refreshTokenEnc as string);
    expect(refreshToken.length).toBeGreaterThan(10);

    // A refresh: the cached access token is dropped, so the next YouTube call trades the refresh
    // token for a new one and caches that.
    await env.CACHE.delete(`yt:access:${userId}`);
    expect((await SELF.fetch(`${APP}/api/videos?refresh=1`, as(session))).status).toBe(200);
    const cachedAfterRefresh = await env.CACHE.get(`yt:access:${userId}`, "json");
    expect(cachedAfterRefresh).toEqual({ accessToken: expect.any(String), expiresAt: expect.any(Number) });

    expect(await everyKvValue()).not.toContain(refreshToken);
    expect(await everyPostgresRow()).not.toContain(refreshToken);
    const ledger = env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName("global"));
    expect(await everyDurableObjectRow(ledger)).not.toContain(refreshToken);
  });

  it("caches nothing but the access token and its expiry at sign-in", async () => {
    const account = await createGoogleAccount();
    await signIn(account.email);
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, account.email));
    const cached = await env.CACHE.get(`yt:access:${user?.id}`, "json");
    expect(Object.keys(cached as object).sort()).toEqual(["accessToken", "expiresAt"]);
  });
});
