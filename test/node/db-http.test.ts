import { Agent, request } from "node:http";
import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { sql as dsql, eq } from "drizzle-orm";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as schema from "../../schema";
import { type LocalDatabase, startLocalDatabase } from "../../scripts/database";
import type { SqlRequestLog } from "../../scripts/db-http";
import { HTTP_KEEP_ALIVE_MS } from "../../scripts/db-proxy";
import { migrateDatabase } from "../../scripts/migrate";
import { openNodePool } from "../../scripts/node-pool";
import { freshPostgres, incrementInTransaction } from "./local-databases";

/** A fresh, migrated database: the embedded PGlite, or a new database on DATABASE_URL's server. */
async function freshTarget(kind: "embedded" | "postgres"): Promise<{
  target: LocalDatabase;
  drop: () => Promise<void>;
}> {
  if (kind === "embedded") {
    const target = await startLocalDatabase({});
    await migrateDatabase(target);
    return { target, drop: () => target.close() };
  }
  const fresh = await freshPostgres(process.env.DATABASE_URL as string, "ttp_dbhttp");
  await migrateDatabase(fresh.target);
  return fresh;
}

/** The error a driver call rejects with (drizzle wraps the driver's in `cause`). */
async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return (cause ?? error) as Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

const kinds = (["embedded", "postgres"] as const).filter((k) => k === "embedded" || process.env.DATABASE_URL);

describe.each(kinds)("Neon's SQL-over-HTTP at the local proxy (%s)", (kind) => {
  let target: LocalDatabase;
  let drop: () => Promise<void> = async () => {};
  let sql: NeonQueryFunction<false, false>;
  let db: NeonHttpDatabase<typeof schema>;

  beforeAll(async () => {
    ({ target, drop } = await freshTarget(kind));
  }, 60_000);
  afterAll(async () => {
    await drop();
  });
  beforeEach(() => {
    // The endpoint is the driver's global: each file section points it at its own proxy.
    neonConfig.fetchEndpoint = target.sqlEndpoint;
    sql = neon(target.databaseUrl);
    db = drizzleHttp({ client: sql, schema });
  });

  async function newUser(email = `u-${crypto.randomUUID()}@example.com`) {
    const [user] = await db
      .insert(schema.users)
      .values({ googleSub: crypto.randomUUID(), email, name: "Zoë 🎬 日本語 \"quoted\" 'single' \\ back" })
      .returning();
    if (!user) throw new Error("no user returned");
    return user;
  }

  it("round-trips the schema's types through drizzle exactly as the WebSocket path reads them", async () => {
    const user = await newUser();
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.name).toBe("Zoë 🎬 日本語 \"quoted\" 'single' \\ back");
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.avatarUrl).toBeNull();

    const startsAt = new Date("2026-03-29T01:30:00.123Z");
    const [test] = await db
      .insert(schema.tests)
      .values({
        userId: user.id,
        videoId: `v-${crypto.randomUUID()}`,
        videoTitleOriginal: "Ünïcödé title ✓",
        intervalMinutes: 60,
        autoApply: false,
        startsAt,
        winnerLift: 0.1 + 0.2,
        pValue: 1e-300,
      })
      .returning();
    if (!test) throw new Error("no test returned");
    const [poll] = await db
      .insert(schema.analyticsPolls)
      .values({
        testId: test.id,
        kind: "daily",
        viewCount: 9_007_199_254_740_991,
        likeCount: null,
        day: "2026-03-29",
        ctr: 0.0425,
      })
      .returning();
    const data = { nested: { list: [1, "two", null, true], emoji: "🎉" }, quote: 'a"b', empty: {} };
    const [event] = await db
      .insert(schema.events)
      .values({ userId: user.id, testId: test.id, type: "t", data })
      .returning();

    expect(test.autoApply).toBe(false);
    expect(test.startsAt?.toISOString()).toBe(startsAt.toISOString());
    expect(test.endsAt).toBeNull();
    expect(test.winnerLift).toBe(0.1 + 0.2);
    expect(test.pValue).toBe(1e-300);
    expect(test.intervalMinutes).toBe(60);
    expect(poll?.viewCount).toBe(9_007_199_254_740_991);
    expect(poll?.likeCount).toBeNull();
    expect(poll?.day).toBe("2026-03-29");
    expect(poll?.ctr).toBe(0.0425);
    expect(typeof poll?.id).toBe("number");
    expect(event?.data).toEqual(data);

    // The same rows read over HTTP and over the WebSocket driver must be identical values.
    const pool = openNodePool(target);
    try {
      const ws = drizzleWs({ client: pool, schema });
      for (const [table, where] of [
        [schema.users, eq(schema.users.id, user.id)],
        [schema.tests, eq(schema.tests.id, test.id)],
        [schema.analyticsPolls, eq(schema.analyticsPolls.testId, test.id)],
        [schema.events, eq(schema.events.testId, test.id)],
      ] as const) {
        const overHttp = await db.select().from(table).where(where);
        const overWs = await ws.select().from(table).where(where);
        expect(overHttp).toHaveLength(1);
        expect(overHttp).toEqual(overWs);
      }
    } finally {
      await pool.end();
    }
  });

  it("answers numerics, arrays, JSON, big integers, booleans and nulls as Postgres text with type OIDs", async () => {
    const [row] = (await sql.query(
      `select $1::numeric as amount, $2::int[] as ints, $3::text[] as texts, $4::json as j, $5::jsonb as jb,
              9223372036854775807::int8 as big, true as yes, false as no, null::int as nothing,
              $6::uuid as id, $7::timestamptz as at`,
      [
        "12345678901234567890.000000001",
        [1, -2, 3],
        ["a,b", 'qu"ote', "ñ", null],
        { a: [1, null] },
        { b: "ü" },
        "0a1b2c3d-0000-4000-8000-00000000abcd",
        "2026-01-02T03:04:05.678Z",
      ],
    )) as Array<Record<string, unknown>>;
    expect(row?.amount).toBe("12345678901234567890.000000001");
    expect(row?.ints).toEqual([1, -2, 3]);
    expect(row?.texts).toEqual(["a,b", 'qu"ote', "ñ", null]);
    expect(row?.j).toEqual({ a: [1, null] });
    expect(row?.jb).toEqual({ b: "ü" });
    expect(row?.big).toBe("9223372036854775807");
    expect(row?.yes).toBe(true);
    expect(row?.no).toBe(false);
    expect(row?.nothing).toBeNull();
    expect(row?.id).toBe("0a1b2c3d-0000-4000-8000-00000000abcd");
    // drizzle's neon-http driver makes timestamps text for itself; either way the instant is kept.
    expect(new Date(row?.at as string | Date).toISOString()).toBe("2026-01-02T03:04:05.678Z");

    const full = await sql.query("select 1::int4 as one, 'x'::text as ex", [], { fullResults: true });
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["one", 23],
      ["ex", 25],
    ]);
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.rows).toEqual([{ one: 1, ex: "x" }]);
  });

  it("binds parameters as values, never as SQL", async () => {
    const hostile = "'); drop table users; --";
    const user = await newUser(`${crypto.randomUUID()}@example.com`);
    await db.update(schema.users).set({ channelTitle: hostile }).where(eq(schema.users.id, user.id));
    const [read] = await db.select().from(schema.users).where(eq(schema.users.channelTitle, hostile));
    expect(read?.id).toBe(user.id);
    const [row] = (await sql`select ${null}::text as n, ${41}::int + 1 as answer, ${"a'b"} as q`) as Array<
      Record<string, unknown>
    >;
    expect(row).toEqual({ n: null, answer: 42, q: "a'b" });
  });

  it("runs a batch as one transaction: a failing statement rolls back the others", async () => {
    const taken = await newUser();
    const fresh = `fresh-${crypto.randomUUID()}@example.com`;
    const error = await failure(
      db.batch([
        db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email: fresh }),
        db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email: taken.email }),
      ]),
    );
    expect(error.code).toBe("23505");
    expect(error.constraint).toBe("users_email_idx");
    expect(await db.select().from(schema.users).where(eq(schema.users.email, fresh))).toEqual([]);

    const [inserted, counted] = await db.batch([
      db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email: fresh }).returning(),
      db.select({ n: dsql<number>`count(*)::int` }).from(schema.users).where(eq(schema.users.email, fresh)),
    ]);
    expect(inserted).toHaveLength(1);
    expect(counted).toEqual([{ n: 1 }]);
  });

  it("answers a batch's first failing statement, rolls back what ran before it, and leaves no transaction open", async () => {
    const fresh = `piped-${crypto.randomUUID()}@example.com`;
    // Many times over, so every pooled connection serves a failed batch and then a good one.
    for (let round = 0; round < 12; round++) {
      const error = await failure(
        sql.transaction([
          sql`insert into users (google_sub, email) values (${crypto.randomUUID()}, ${fresh})`,
          sql`select 1 / ${0}::int as boom`,
          sql`select 2 as after`,
        ]),
      );
      expect(error.code).toBe("22012");
      // Were the connection left in the aborted transaction, this would fail with 25P02.
      const [before] = await sql.transaction([
        sql`select count(*)::int as n from users where email = ${fresh}`,
      ]);
      expect(before).toEqual([{ n: 0 }]);
    }
  });

  it("prepares a statement anew on a connection that replaced another (PGlite keeps one session)", async () => {
    // Nine connection strings (the password is the pool's key, and ignored by trust auth) make nine
    // pools; the proxy keeps eight, so the first one's connection is closed and later replaced.
    const as = (password: string) => {
      const url = new URL(target.databaseUrl);
      url.password = password;
      return neon(url.toString());
    };
    const text = `select $1::int + 1 as next -- ${crypto.randomUUID()}`;
    for (const password of ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p0"]) {
      expect(await as(password).query(text, [41])).toEqual([{ next: 42 }]);
    }
  });

  it("prepares every statement as Neon does: a text of several statements fails before any of it runs", async () => {
    const email = `multi-${crypto.randomUUID()}@example.com`;
    const several = `insert into users (google_sub, email) values ('${crypto.randomUUID()}', '${email}'); select 1`;
    expect((await failure(sql.query(several))).code).toBe("42601");
    expect((await failure(sql.transaction([sql`select 1`, sql.query(several)]))).code).toBe("42601");
    expect(await sql`select count(*)::int as n from users where email = ${email}`).toEqual([{ n: 0 }]);
  });

  it("honours the batch headers: read-only batches refuse writes, isolation and deferrable apply", async () => {
    const readOnly = neon(target.databaseUrl, { readOnly: true });
    const error = await failure(
      readOnly.transaction([
        readOnly`insert into alerts (kind, severity, message) values ('k', 'warning', 'm')`,
      ]),
    );
    expect(error.code).toBe("25006");
    const [characteristics] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as iso,
                  current_setting('transaction_read_only') as ro,
                  current_setting('transaction_deferrable') as def`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(characteristics).toEqual([{ iso: "serializable", ro: "on", def: "on" }]);
    const [defaults] = await sql.transaction([sql`select current_setting('transaction_read_only') as ro`]);
    expect(defaults).toEqual([{ ro: "off" }]);
  });

  it("reports Postgres errors with their fields, as drizzle and the driver expect them", async () => {
    const user = await newUser();
    const duplicate = await failure(
      db.insert(schema.users).values({ googleSub: crypto.randomUUID(), email: user.email }),
    );
    expect(duplicate.code).toBe("23505");
    expect(duplicate.constraint).toBe("users_email_idx");
    expect(duplicate.table).toBe("users");
    expect(duplicate.detail).toContain(user.email);

    const syntax = await failure(sql.query("selec 1"));
    expect(syntax.code).toBe("42601");
    expect(syntax.position).toBe("1");
    expect(syntax.name).toBe("NeonDbError");
  });

  it("refuses malformed requests with a 4xx and a message, never a 5xx", async () => {
    const headers = {
      "Neon-Connection-String": target.databaseUrl,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    };
    const post = (body: string, h: Record<string, string> = headers) =>
      fetch(target.sqlEndpoint, { method: "POST", body, headers: h });
    const cases: Array<[Promise<Response>, number]> = [
      [post("{not json"), 400],
      [post(JSON.stringify({ nothing: 1 })), 400],
      [post(JSON.stringify({ query: "select 1", params: [{ a: 1 }] })), 400],
      [post(JSON.stringify({ queries: [] })), 400],
      [post(JSON.stringify({ query: "select 1" }), { "Neon-Raw-Text-Output": "true" }), 400],
      [
        post(JSON.stringify({ query: "select 1" }), {
          ...headers,
          "Neon-Connection-String": "mysql://x@y/z",
        }),
        400,
      ],
      [post(JSON.stringify({ query: "select 1" }), { ...headers, "Neon-Raw-Text-Output": "false" }), 400],
      [
        post(JSON.stringify({ queries: [{ query: "select 1" }] }), {
          ...headers,
          "Neon-Batch-Isolation-Level": "Chaos",
        }),
        400,
      ],
      [
        post(JSON.stringify({ queries: [{ query: "select 1" }] }), {
          ...headers,
          "Neon-Batch-Read-Only": "yes",
        }),
        400,
      ],
      [fetch(target.sqlEndpoint), 405],
      [fetch(target.sqlEndpoint.replace("/sql", "/elsewhere")), 404],
    ];
    for (const [response, status] of cases) {
      const answer = await response;
      expect(answer.status).toBe(status);
      expect(typeof ((await answer.json()) as { message?: unknown }).message).toBe("string");
    }
    // The endpoint still serves after all that.
    expect(await sql`select 1 as ok`).toEqual([{ ok: 1 }]);
  });

  it("keeps idle HTTP connections open longer than a client would (the client closes first, never mid-reuse)", async () => {
    // A server that closes an idle keep-alive connection as the client (workerd: ~5 s idle) reuses
    // it makes the client's request fail with "Network connection lost"; so the proxy must announce,
    // and keep, a longer idle timeout than any client's, and serve sequential requests on one socket.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(target.sqlEndpoint);
    const post = () =>
      new Promise<{
        keepAlive: string | undefined;
        localPort: number | undefined;
        status: number | undefined;
        body: string;
      }>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: {
              "content-type": "application/json",
              "neon-connection-string": target.databaseUrl,
              "neon-raw-text-output": "true",
            },
          },
          (res) => {
            let body = "";
            res.on("data", (chunk) => {
              body += chunk;
            });
            res.on("end", () =>
              resolve({
                keepAlive: String(res.headers["keep-alive"] ?? ""),
                localPort: req.socket?.localPort,
                status: res.statusCode,
                body,
              }),
            );
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ query: "select 1", params: [] }));
      });
    try {
      const first = await post();
      const second = await post();
      expect([first.status, second.status], first.body).toEqual([200, 200]);
      const timeout = Number(/timeout=(\d+)/.exec(first.keepAlive ?? "")?.[1]);
      expect(timeout).toBeGreaterThanOrEqual(60);
      expect(timeout * 1000).toBe(HTTP_KEEP_ALIVE_MS);
      expect(second.localPort).toBe(first.localPort);
    } finally {
      agent.destroy();
    }
  });

  it("serves concurrent batches beside WebSocket transactions, from warm connections", async () => {
    await sql`create table if not exists http_counter (n int not null)`;
    await sql`truncate http_counter`;
    await sql`insert into http_counter values (0)`;
    const pool = openNodePool(target);
    try {
      const overHttp = Array.from({ length: 20 }, () =>
        sql.transaction([sql`update http_counter set n = n + 1`, sql`select n from http_counter`]),
      );
      const overWs = Array.from({ length: 5 }, () =>
        incrementInTransaction(pool, "http_counter", "for update"),
      );
      await Promise.all([...overHttp, ...overWs]);
    } finally {
      await pool.end();
    }
    expect(await sql`select n from http_counter`).toEqual([{ n: 25 }]);

    // Sequential requests reuse the same backends: no request started one of its own.
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const [row] = (await sql`select pg_backend_pid() as pid`) as Array<{ pid: number }>;
      pids.add(row?.pid ?? -1);
    }
    expect(pids.size).toBe(1);
    const before = (await (
      await fetch(target.sqlEndpoint.replace(/\/sql$/, "/sql/requests"))
    ).json()) as SqlRequestLog;
    await sql`select 'counted' as c`;
    const after = (await (
      await fetch(target.sqlEndpoint.replace(/\/sql$/, "/sql/requests"))
    ).json()) as SqlRequestLog;
    expect(after.total).toBe(before.total + 1);
    expect(after.recent.at(-1)).toEqual({ statements: ["select 'counted' as c"], batch: false, status: 200 });
  });
});
