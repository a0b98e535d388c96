import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { QuotaLedger } from "../../durable-objects/quota-ledger/quota-ledger";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import type { QuotaRequest } from "../../worker/quota/types";
import { at, expectDenial, expectGrant, freshLedger, nth, projectConfig } from "./quota-fixtures";

const LOCAL_KEY = env.YOUTUBE_API_KEY_LOCAL_1;

/** n identical requests, for herds and for filling a day quickly. */
const times = (n: number, request: QuotaRequest): QuotaRequest[] => Array.from({ length: n }, () => request);

describe("QuotaLedger: grants and limits", () => {
  it("grants the configured project with its API key and never beyond its daily limit", async () => {
    const ledger = freshLedger("limit");
    const now = at("2026-06-15T18:00:00Z");
    const answers = await ledger.reserveBatch(
      times(201, { units: 50, priority: "premium", project: "local-1" }),
      now,
    );
    const grants = answers.filter((a) => a.granted);
    expect(grants).toHaveLength(200);
    expect(new Set(grants.map((g) => g.grantId)).size).toBe(200);
    const first = expectGrant(nth(answers, 0));
    expect(first).toMatchObject({ project: "local-1", apiKey: LOCAL_KEY, expiresAt: now + 120_000 });
    // Open grants may settle for less than they hold: worth asking again soon.
    expect(expectDenial(nth(answers, 200))).toEqual({
      granted: false,
      reason: "project_exhausted",
      retryAt: now + 30_000,
    });
    const status = await ledger.status(now);
    expect(status.projects.find((p) => p.id === "local-1")).toMatchObject({
      used: 0,
      reserved: 10_000,
      headroom: 0,
    });
    // A one-unit read no longer fits either: the limit is exact.
    expectDenial(await ledger.reserve({ units: 1, priority: "premium", project: "local-1" }, now));
    // Once everything is spent, nothing comes back before the reset.
    for (const grant of grants)
      if (grant.granted) await ledger.settle(grant.grantId, { units: 50, outcome: "ok" }, now);
    expect(await ledger.reserve({ units: 1, priority: "premium", project: "local-1" }, now)).toEqual({
      granted: false,
      reason: "project_exhausted",
      retryAt: at("2026-06-16T07:00:00Z"),
    });
  });

  it("never grants beyond the limit to 300 callers racing over RPC", async () => {
    const ledger = freshLedger("race");
    const now = at("2026-06-15T18:00:00Z");
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ledger.reserve({ units: 50, priority: i % 2 ? "premium" : "standard", project: "local-1" }, now),
      ),
    );
    const granted = answers.filter((a) => a.granted).length;
    // Standard stops at 8,000 units (160 grants); premium takes the rest up to 10,000 (200 in all).
    expect(granted).toBe(200);
    const status = await ledger.status(now);
    expect(status.projects[0]).toMatchObject({ reserved: 10_000, headroom: 0 });
    expect(status.priorities.standard.grants).toBeLessThanOrEqual(160);
  });

  it("answers a herd with reserveBatch in order, one answer per request", async () => {
    const ledger = freshLedger("herd");
    const now = at("2026-06-15T18:00:00Z");
    const requests: QuotaRequest[] = [
      { units: 9_000, priority: "premium", project: "local-1" },
      { units: 2_000, priority: "premium", project: "local-1" },
      { units: 1_000, priority: "premium", project: "local-1" },
      { units: 1, priority: "premium", project: "nope" },
    ];
    const answers = await ledger.reserveBatch(requests, now);
    expect(answers.map((a) => (a.granted ? "granted" : a.reason))).toEqual([
      "granted",
      "project_exhausted",
      "granted",
      "unknown_project",
    ]);
  });

  it("rejects malformed requests without changing anything", async () => {
    const ledger = freshLedger("malformed");
    const now = at("2026-06-15T18:00:00Z");
    // Called on the instance: a rejected RPC leaks an unhandled rejection into vitest
    // (cloudflare/workers-sdk#14736), so the errors are caught inside the object.
    const errors = await runInDurableObject(ledger, (instance) =>
      [
        () => instance.reserve({ units: 0, priority: "premium" }, now),
        () => instance.reserve({ units: 1.5, priority: "premium" }, now),
        () => instance.reserve({ units: 1, priority: "urgent" as "premium" }, now),
        () =>
          instance.reserveBatch(
            [
              { units: 10, priority: "premium" },
              { units: -1, priority: "premium" },
            ],
            now,
          ),
        () => instance.settle("g", { units: -1, outcome: "ok" }, now),
        () => instance.setDailyLimit("local-1", -5, now),
      ].map((call) => {
        try {
          call();
          return "accepted";
        } catch (err) {
          return err instanceof Error ? err.name : String(err);
        }
      }),
    );
    expect(errors).toEqual([
      "RangeError",
      "RangeError",
      "RangeError",
      "RangeError",
      "RangeError",
      "ZodError",
    ]);
    const status = await ledger.status(now);
    expect(status.projects[0]).toMatchObject({ used: 0, reserved: 0 });
    expect(status.priorities.premium).toEqual({ grants: 0, grantedUnits: 0, denials: 0, deniedUnits: 0 });
  });
});

describe("QuotaLedger: Pacific days", () => {
  async function fillLocal1(ledger: ReturnType<typeof freshLedger>, now: number) {
    const answers = await ledger.reserveBatch(
      times(10, { units: 1_000, priority: "premium", project: "local-1" }),
      now,
    );
    expect(answers.every((a) => a.granted)).toBe(true);
  }

  it("starts a new day at midnight Los Angeles time on an ordinary day", async () => {
    const ledger = freshLedger("day-normal");
    await fillLocal1(ledger, at("2026-06-15T08:00:00Z"));
    const lastMs = expectDenial(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-06-16T06:59:59.999Z"),
      ),
    );
    expect(lastMs.retryAt).toBe(at("2026-06-16T07:00:00Z"));
    expectGrant(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-06-16T07:00:00Z"),
      ),
    );
    const status = await ledger.status(at("2026-06-16T07:00:01Z"));
    expect(status.day).toBe("2026-06-16");
    expect(status.nextResetAt).toBe(at("2026-06-17T07:00:00Z"));
  });

  it("resets after 23 hours on the spring-forward day (2026-03-08)", async () => {
    const ledger = freshLedger("day-spring");
    await fillLocal1(ledger, at("2026-03-08T08:00:00Z")); // 00:00 PST
    const denial = expectDenial(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-03-09T06:59:59Z"),
      ),
    );
    expect(denial.retryAt).toBe(at("2026-03-09T07:00:00Z")); // 00:00 PDT
    expectGrant(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-03-09T07:00:00Z"),
      ),
    );
  });

  it("resets after 25 hours on the fall-back day (2026-11-01)", async () => {
    const ledger = freshLedger("day-fall");
    await fillLocal1(ledger, at("2026-11-01T07:00:00Z")); // 00:00 PDT
    // 23:30 PST on Nov 1: a fixed UTC−7 reset would already have happened.
    const denial = expectDenial(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-11-02T07:30:00Z"),
      ),
    );
    expect(denial.retryAt).toBe(at("2026-11-02T08:00:00Z"));
    expectGrant(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1" },
        at("2026-11-02T08:00:00Z"),
      ),
    );
  });
});

describe("QuotaLedger: priority bands", () => {
  it("keeps the last 20 % for premium and the last 40 % away from background work", async () => {
    const ledger = freshLedger("bands");
    const now = at("2026-06-15T18:00:00Z");
    const reserve = (priority: QuotaRequest["priority"]) =>
      ledger.reserve({ units: 1_000, priority, project: "local-1" }, now);
    for (let i = 0; i < 6; i++) expectGrant(await reserve("background"));
    expect(expectDenial(await reserve("background")).reason).toBe("priority_band");
    expectGrant(await reserve("standard"));
    expectGrant(await reserve("standard"));
    expect(expectDenial(await reserve("standard")).reason).toBe("priority_band");
    expect(expectDenial(await reserve("background")).reason).toBe("priority_band");
    expectGrant(await reserve("premium"));
    expectGrant(await reserve("premium"));
    expect(expectDenial(await reserve("premium")).reason).toBe("project_exhausted");

    const status = await ledger.status(now);
    expect(status.priorities).toEqual({
      premium: { grants: 2, grantedUnits: 2_000, denials: 1, deniedUnits: 1_000 },
      standard: { grants: 2, grantedUnits: 2_000, denials: 1, deniedUnits: 1_000 },
      background: { grants: 6, grantedUnits: 6_000, denials: 2, deniedUnits: 2_000 },
    });
    expect(status.denialsByReason).toEqual({ priority_band: 3, project_exhausted: 1 });
  });

  it("applies the same bands to a raised quota of 1,000,000 units", async () => {
    const ledger = freshLedger("bands-raised");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(projectConfig("raised", 1_000_000), now);
    const reserve = (units: number, priority: QuotaRequest["priority"]) =>
      ledger.reserve({ units, priority, project: "raised" }, now);
    for (let i = 0; i < 6; i++) expectGrant(await reserve(100_000, "background"));
    expect(expectDenial(await reserve(1, "background")).reason).toBe("priority_band");
    expectGrant(await reserve(100_000, "standard"));
    expectGrant(await reserve(100_000, "standard"));
    expect(expectDenial(await reserve(1, "standard")).reason).toBe("priority_band");
    expectGrant(await reserve(100_000, "premium"));
    expectGrant(await reserve(99_999, "premium"));
    expectGrant(await reserve(1, "premium"));
    expect(expectDenial(await reserve(1, "premium")).reason).toBe("project_exhausted");
  });

  it("sends reads without a project to the project with the most headroom for their band", async () => {
    const ledger = freshLedger("most-headroom");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(projectConfig("second", 10_000), now);
    expectGrant(await ledger.reserve({ units: 3_000, priority: "premium", project: "local-1" }, now));
    const read = expectGrant(await ledger.reserve({ units: 1, priority: "background" }, now));
    expect(read.project).toBe("second");
    expectGrant(await ledger.reserve({ units: 5_000, priority: "premium", project: "second" }, now));
    expect(expectGrant(await ledger.reserve({ units: 1, priority: "background" }, now)).project).toBe(
      "local-1",
    );
  });

  it("tells all_exhausted from priority_band for reads when no project can take them", async () => {
    const ledger = freshLedger("all-exhausted");
    const now = at("2026-06-15T18:00:00Z");
    const big = expectGrant(
      await ledger.reserve({ units: 8_000, priority: "premium", project: "local-1" }, now),
    );
    await ledger.settle(big.grantId, { units: 8_000, outcome: "ok" }, now);
    expect(expectDenial(await ledger.reserve({ units: 1, priority: "standard" }, now)).reason).toBe(
      "priority_band",
    );
    const rest = expectGrant(await ledger.reserve({ units: 2_000, priority: "premium" }, now));
    await ledger.settle(rest.grantId, { units: 2_000, outcome: "ok" }, now);
    const denial = expectDenial(await ledger.reserve({ units: 1, priority: "premium" }, now));
    expect(denial).toMatchObject({ reason: "all_exhausted", retryAt: at("2026-06-16T07:00:00Z") });
  });
});

describe("QuotaLedger: per-user caps", () => {
  it("caps a free user at 1,000 units a day without starving other users", async () => {
    const ledger = freshLedger("user-cap");
    const now = at("2026-06-15T18:00:00Z");
    const answers = await ledger.reserveBatch(
      times(21, { units: 50, priority: "premium", project: "local-1", userId: "u-free" }),
      now,
    );
    expect(answers.filter((a) => a.granted)).toHaveLength(20);
    expect(expectDenial(nth(answers, 20))).toEqual({
      granted: false,
      reason: "user_cap",
      retryAt: at("2026-06-16T07:00:00Z"),
    });
    expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "local-1", userId: "u-other" }, now),
    );
    // Next day the cap is fresh.
    expectGrant(
      await ledger.reserve(
        { units: 50, priority: "premium", project: "local-1", userId: "u-free" },
        at("2026-06-16T07:00:00Z"),
      ),
    );
  });

  it("takes the cap from the plan in the request, else from assignProject, and credits cheaper settlements", async () => {
    const ledger = freshLedger("user-plan");
    const now = at("2026-06-15T18:00:00Z");
    expectGrant(
      await ledger.reserve({ units: 5_000, priority: "premium", userId: "u-pro", plan: "pro" }, now),
    );
    expect(
      expectDenial(await ledger.reserve({ units: 1, priority: "premium", userId: "u-pro", plan: "pro" }, now))
        .reason,
    ).toBe("user_cap");

    await ledger.assignProject("u-auth", "authority", now);
    await ledger.upsertProject(projectConfig("big", 100_000), now);
    const grant = expectGrant(
      await ledger.reserve({ units: 20_000, priority: "premium", project: "big", userId: "u-auth" }, now),
    );
    expect(
      expectDenial(
        await ledger.reserve({ units: 50, priority: "premium", project: "big", userId: "u-auth" }, now),
      ).reason,
    ).toBe("user_cap");
    // The call cost less than reserved: the difference goes back to the user's day.
    await ledger.settle(grant.grantId, { units: 19_950, outcome: "ok" }, now);
    expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "big", userId: "u-auth" }, now),
    );
  });
});

describe("QuotaLedger: settlement, exhaustion and expiry", () => {
  it("records the real cost, charges at least 1 unit for a rejected call and ignores repeated or unknown settlements", async () => {
    const ledger = freshLedger("settle");
    const now = at("2026-06-15T18:00:00Z");
    const update = expectGrant(
      await ledger.reserve({ units: 50, priority: "standard", project: "local-1" }, now),
    );
    const read = expectGrant(
      await ledger.reserve({ units: 50, priority: "standard", project: "local-1" }, now),
    );
    await ledger.settle(update.grantId, { units: 50, outcome: "ok" }, now);
    await ledger.settle(read.grantId, { units: 0, outcome: "error" }, now);
    await ledger.settle(read.grantId, { units: 50, outcome: "ok" }, now);
    await ledger.settle("no-such-grant", { units: 50, outcome: "quotaExceeded" }, now);
    const status = await ledger.status(now);
    expect(status.projects.find((p) => p.id === "local-1")).toMatchObject({
      used: 51,
      reserved: 0,
      exhaustedUntil: null,
    });
    expect(status.openGrants).toBe(0);
  });

  it("settles a herd's grants in one settleBatch call", async () => {
    const ledger = freshLedger("settle-batch");
    const now = at("2026-06-15T18:00:00Z");
    const grants = (
      await ledger.reserveBatch(times(3, { units: 50, priority: "standard", project: "local-1" }), now)
    ).map(expectGrant);
    await ledger.settleBatch(
      [
        { grantId: nth(grants, 0).grantId, units: 50, outcome: "ok" },
        { grantId: nth(grants, 1).grantId, units: 0, outcome: "error" },
        { grantId: nth(grants, 1).grantId, units: 50, outcome: "ok" }, // a repeat: ignored
        { grantId: "unknown", units: 50, outcome: "ok" },
      ],
      now,
    );
    expect((await ledger.status(now)).projects[0]).toMatchObject({ used: 51, reserved: 50 });
  });

  it("marks a project exhausted on quotaExceeded until midnight Pacific, then grants again", async () => {
    const ledger = freshLedger("exhausted");
    const now = at("2026-03-08T20:00:00Z");
    const grant = expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "local-1" }, now),
    );
    await ledger.settle(grant.grantId, { units: 50, outcome: "quotaExceeded" }, now);
    const reset = at("2026-03-09T07:00:00Z");
    expect((await ledger.status(now)).projects[0]).toMatchObject({
      id: "local-1",
      used: 50,
      headroom: 0,
      exhaustedUntil: reset,
    });
    expect(await ledger.reserve({ units: 1, priority: "premium", project: "local-1" }, now + 1)).toEqual({
      granted: false,
      reason: "project_exhausted",
      retryAt: reset,
    });
    expect(expectDenial(await ledger.reserve({ units: 1, priority: "premium" }, now + 1)).reason).toBe(
      "all_exhausted",
    );
    expectGrant(await ledger.reserve({ units: 50, priority: "premium", project: "local-1" }, reset));
    expect((await ledger.status(reset)).projects[0]).toMatchObject({
      used: 0,
      reserved: 50,
      exhaustedUntil: null,
    });
  });

  it("counts a grant never settled as spent once it expires, and ignores its late settlement", async () => {
    const ledger = freshLedger("expiry");
    const now = at("2026-06-15T18:00:00Z");
    const grant = expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "local-1" }, now),
    );
    const local = async (t: number) => (await ledger.status(t)).projects.find((p) => p.id === "local-1");
    expect(await local(grant.expiresAt - 1)).toMatchObject({ used: 0, reserved: 50 });
    expect(await local(grant.expiresAt)).toMatchObject({ used: 50, reserved: 0 });
    await ledger.settle(grant.grantId, { units: 1, outcome: "ok" }, grant.expiresAt + 1);
    expect(await local(grant.expiresAt + 2)).toMatchObject({ used: 50, reserved: 0 });
    expect((await ledger.status(grant.expiresAt + 2)).openGrants).toBe(0);
  });

  it("expires overdue grants in its alarm and re-arms for the next reset", async () => {
    const ledger = freshLedger("alarm");
    // The wall clock: the alarm runs on it.
    const grant = expectGrant(await ledger.reserve({ units: 50, priority: "premium", project: "local-1" }));
    const armed = await runInDurableObject(ledger, (_instance, state) => state.storage.getAlarm());
    expect(armed).toBe(grant.expiresAt);
    // Let the grant's time pass without sleeping: move its expiry into the past.
    await runInDurableObject(ledger, (_instance, state) => {
      state.storage.sql.exec("UPDATE grants SET expires_at = ?", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(ledger)).toBe(true);
    const { used, reserved } = await runInDurableObject(ledger, (_instance, state) =>
      state.storage.sql.exec<{ used: number; reserved: number }>("SELECT used, reserved FROM usage").one(),
    );
    expect({ used, reserved }).toEqual({ used: 50, reserved: 0 });
    const rearmed = await runInDurableObject(ledger, (_instance, state) => state.storage.getAlarm());
    expect(rearmed).toBe((await ledger.status()).nextResetAt);
  });
});

describe("QuotaLedger: durability", () => {
  it("keeps usage, open grants and pins across a restart of the object mid-day", async () => {
    const ledger = freshLedger("restart");
    const now = at("2026-06-15T18:00:00Z");
    const pin = await ledger.assignProject("u-restart", "pro", now);
    const open = expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "local-1", userId: "u-restart" }, now),
    );
    const settled = expectGrant(
      await ledger.reserve({ units: 50, priority: "premium", project: "local-1" }, now),
    );
    await ledger.settle(settled.grantId, { units: 30, outcome: "ok" }, now);

    // A fresh instance over the same storage sees everything.
    const fresh = await runInDurableObject(ledger, async (_instance, state) => {
      const instance = new QuotaLedger(state, env);
      await state.blockConcurrencyWhile(async () => {}); // after the constructor's own
      return instance.status(now + 1);
    });
    expect(fresh.projects[0]).toMatchObject({ used: 30, reserved: 50, pinnedUsers: 1 });

    // An aborted object (as on eviction or a crash) comes back with nothing lost.
    await expect(runInDurableObject(ledger, (_instance, state) => state.abort("restart"))).rejects.toThrow();
    // A stub to an aborted object stays broken, as in production: callers take a new one.
    const revived = env.QUOTA_LEDGER.get(ledger.id);
    const after = await revived.status(now + 2);
    expect(after.projects[0]).toMatchObject({ used: 30, reserved: 50, pinnedUsers: 1 });
    expect(after.priorities.premium.grants).toBe(2);
    expect(await revived.assignProject("u-restart", undefined, now + 3)).toEqual({ ...pin, assigned: false });
    await revived.settle(open.grantId, { units: 50, outcome: "ok" }, now + 4);
    expect((await revived.status(now + 5)).projects[0]).toMatchObject({ used: 80, reserved: 0 });
  });

  it("never writes an API key to storage", async () => {
    const ledger = freshLedger("no-key");
    const now = at("2026-06-15T18:00:00Z");
    expectGrant(await ledger.reserve({ units: 50, priority: "premium", userId: "u1" }, now));
    await ledger.upsertProject(projectConfig("added", 500), now);
    const dump = await runInDurableObject(ledger, (_instance, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
        )
        .toArray();
      return JSON.stringify(
        tables.map(({ name }) => state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()),
      );
    });
    expect(dump).toContain("YOUTUBE_API_KEY_LOCAL_1");
    expect(LOCAL_KEY).toBeTruthy();
    expect(dump).not.toContain(LOCAL_KEY);
  });

  it("refuses grants from a project whose API key secret is not bound", async () => {
    const ledger = freshLedger("misconfigured");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(
      { ...projectConfig("keyless", 10_000), apiKeyRef: "YOUTUBE_API_KEY_NO_SUCH_SECRET" },
      now,
    );
    expect(
      expectDenial(await ledger.reserve({ units: 1, priority: "premium", project: "keyless" }, now)).reason,
    ).toBe("misconfigured");
    // Reads skip it for a project that works.
    expect(expectGrant(await ledger.reserve({ units: 1, priority: "premium" }, now)).project).toBe("local-1");
  });
});

describe("QuotaLedger: projects and pins", () => {
  it("pins new users to the project with the most headroom per user, and keeps returning users", async () => {
    const ledger = freshLedger("assign");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(projectConfig("p-a", 10_000), now);
    await ledger.upsertProject(projectConfig("p-b", 10_000), now);
    expectGrant(await ledger.reserve({ units: 5_000, priority: "premium", project: "local-1" }, now));
    const pins = [];
    for (const user of ["u1", "u2", "u3", "u4"])
      pins.push((await ledger.assignProject(user, undefined, now)).project);
    // local-1 has half its day left: the first three users go to the fuller projects.
    expect(pins.slice(0, 2).sort()).toEqual(["p-a", "p-b"]);
    expect(new Set(pins)).toEqual(new Set(["p-a", "p-b", "local-1"]));
    const again = await ledger.assignProject("u1", undefined, now);
    expect(again).toMatchObject({ project: pins[0], assigned: false, clientId: `${pins[0]}-client` });
  });

  it("suggests a project before sign-in without pinning, then pins the one the user consented to", async () => {
    const ledger = freshLedger("suggest");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(projectConfig("p-big", 100_000), now);
    expect(await ledger.suggestProject(undefined, now)).toEqual({
      project: "p-big",
      clientId: "p-big-client",
      clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
    });
    expect((await ledger.suggestProject("local-1", now)).project).toBe("local-1");
    expect((await ledger.suggestProject("unknown", now)).project).toBe("p-big");
    expect((await ledger.status(now)).projects.every((p) => p.pinnedUsers === 0)).toBe(true);

    expect(await ledger.pinProject("u-s", "local-1", "pro", now)).toMatchObject({
      project: "local-1",
      assigned: true,
    });
    expect(await ledger.assignProject("u-s", undefined, now)).toMatchObject({
      project: "local-1",
      assigned: false,
    });
    // Re-consent through another client moves the pin; the plan is kept unless given.
    expect(await ledger.pinProject("u-s", "p-big", undefined, now)).toMatchObject({
      project: "p-big",
      assigned: true,
    });
    expectGrant(
      await ledger.reserve({ units: 5_000, priority: "premium", project: "p-big", userId: "u-s" }, now),
    );
    expect(
      expectDenial(
        await ledger.reserve({ units: 1, priority: "premium", project: "p-big", userId: "u-s" }, now),
      ).reason,
    ).toBe("user_cap");
  });

  it("gives a raised-quota project users in proportion to its quota", async () => {
    const ledger = freshLedger("assign-raised");
    const now = at("2026-06-15T18:00:00Z");
    await ledger.upsertProject(projectConfig("raised", 1_000_000), now);
    const pins = [];
    for (let i = 0; i < 20; i++) pins.push((await ledger.assignProject(`u${i}`, undefined, now)).project);
    expect(pins.filter((p) => p === "raised")).toHaveLength(20);
    const status = await ledger.status(now);
    expect(status.projects.find((p) => p.id === "raised")?.pinnedUsers).toBe(20);
  });

  it("adds projects and changes limits at once, overriding configured values", async () => {
    const ledger = freshLedger("admin-rpc");
    const now = at("2026-06-15T18:00:00Z");
    const added = await ledger.upsertProject(projectConfig("extra", 2_000), now);
    expect(added).toMatchObject({
      created: true,
      project: { id: "extra", dailyLimit: 2_000, source: "admin" },
    });
    expect((await ledger.upsertProject(projectConfig("extra", 3_000), now)).created).toBe(false);
    expect(await ledger.setDailyLimit("local-1", 50, now)).toMatchObject({
      id: "local-1",
      dailyLimit: 50,
      source: "admin",
    });
    expect(await ledger.setDailyLimit("missing", 50, now)).toBeNull();
    expect(
      expectDenial(await ledger.reserve({ units: 51, priority: "premium", project: "local-1" }, now)).reason,
    ).toBe("project_exhausted");
    const status = await ledger.status(now);
    expect(status.projects.map((p) => [p.id, p.dailyLimit])).toEqual([
      ["local-1", 50],
      ["extra", 3_000],
    ]);
  });

  it("is reached through quotaLedger(env), the global stub", async () => {
    const ledger = quotaLedger(env);
    expect(await ledger.ping()).toBe("pong");
    const status = await ledger.status();
    expect(status.projects.map((p) => p.id)).toContain("local-1");
  });
});
