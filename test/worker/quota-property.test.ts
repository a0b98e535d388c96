import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUOTA_POLICY } from "../../worker/quota/config";
import { nextPacificReset, pacificDayKey } from "../../worker/quota/pacific-day";
import type { QuotaPriority } from "../../worker/quota/types";
import { at, freshLedger, projectConfig } from "./quota-fixtures";

/** The projects of every run: the configured one and small ones that fill up within a run. */
const LIMITS: Record<string, number> = {
  "local-1": 10_000,
  "prop-a": 500,
  "prop-b": 1_200,
  "prop-tiny": 100,
};
const PROJECT_IDS = Object.keys(LIMITS);
const TTL = DEFAULT_QUOTA_POLICY.grantTtlMs;
/** The share of a day each band may fill, written out here rather than taken from the code under test. */
const BAND_SHARE: Record<QuotaPriority, number> = { premium: 1, standard: 0.8, background: 0.6 };

type Op =
  | { kind: "reserve"; project: string | undefined; priority: QuotaPriority; units: number }
  | { kind: "batch"; size: number; project: string | undefined; priority: QuotaPriority; units: number }
  | { kind: "settle"; pick: number; fraction: number; outcome: "ok" | "quotaExceeded" | "error" }
  | { kind: "advance"; ms: number }
  | { kind: "reset"; offsetMs: number };

const priority = fc.constantFrom<QuotaPriority>("premium", "standard", "background");
const project = fc.option(fc.constantFrom(...PROJECT_IDS), { nil: undefined });
// Many one-unit reads, so that days fill right up to each band's edge.
const units = fc.oneof(
  { weight: 3, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constant(50) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3_000 }) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("reserve" as const), project, priority, units }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      size: fc.integer({ min: 2, max: 80 }),
      project,
      priority,
      units,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      outcome: fc.constantFrom("ok" as const, "ok" as const, "error" as const, "quotaExceeded" as const),
    }),
  },
  // Within a grant's lifetime, across it, or hours on (which may cross a Pacific midnight).
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.oneof(fc.integer({ min: 1, max: TTL * 2 }), fc.integer({ min: 1, max: 6 * 3_600_000 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reset" as const),
      offsetMs: fc.integer({ min: 0, max: 60_000 }),
    }),
  },
);

/** The test's own account of a grant, independent of the ledger's. */
interface ModelGrant {
  id: string;
  project: string;
  day: string;
  units: number;
  expiresAt: number;
  /** What a settlement made it cost, when it was settled before expiring. */
  cost?: number;
}

/** The start instants: an ordinary day, and both DST changes of 2026 a few hours before they happen. */
const starts = fc.constantFrom(
  at("2026-06-15T12:00:00Z"),
  at("2026-03-08T04:00:00Z"),
  at("2026-11-01T03:00:00Z"),
);

describe("QuotaLedger properties", () => {
  it("never commits more than a project's day, and never denies premium work that fits", async () => {
    await fc.assert(
      fc.asyncProperty(starts, fc.array(op, { minLength: 1, maxLength: 150 }), async (start, ops) => {
        const ledger = freshLedger("property");
        await runInDurableObject(ledger, (instance) => {
          let now = start;
          for (const id of ["prop-a", "prop-b", "prop-tiny"])
            instance.upsertProject(projectConfig(id, LIMITS[id] ?? 0), now);
          const grants: ModelGrant[] = [];
          /** Exhausted (quotaExceeded) project-days, as the model saw the settlements. */
          const exhausted = new Set<string>();

          /** Units of a project's day the model counts as taken: open and expired grants in full, settled ones at cost. */
          const committed = (projectId: string, day: string) =>
            grants
              .filter((g) => g.project === projectId && g.day === day)
              .reduce((sum, g) => sum + (g.cost ?? g.units), 0);
          const premiumFits = (projectId: string, day: string, need: number) =>
            !exhausted.has(`${projectId}|${day}`) &&
            committed(projectId, day) + need <= (LIMITS[projectId] ?? 0);

          const reserveOne = (
            p: string | undefined,
            pr: QuotaPriority,
            u: number,
            answer: ReturnType<typeof instance.reserve>,
          ) => {
            const day = pacificDayKey(now);
            if (answer.granted) {
              const limit = LIMITS[answer.project] ?? 0;
              // The band the grant came from must have had room for it.
              expect(committed(answer.project, day) + u).toBeLessThanOrEqual(
                Math.floor(limit * BAND_SHARE[pr]),
              );
              expect(exhausted.has(`${answer.project}|${day}`)).toBe(false);
              if (p !== undefined) expect(answer.project).toBe(p);
              grants.push({
                id: answer.grantId,
                project: answer.project,
                day,
                units: u,
                expiresAt: answer.expiresAt,
              });
            } else if (pr === "premium") {
              // Premium is refused only when no candidate project can take it.
              expect(answer.reason).not.toBe("priority_band");
              for (const id of p === undefined ? PROJECT_IDS : [p])
                expect(premiumFits(id, day, u)).toBe(false);
            }
          };

          for (const step of ops) {
            switch (step.kind) {
              case "reserve":
                reserveOne(
                  step.project,
                  step.priority,
                  step.units,
                  instance.reserve(
                    { units: step.units, priority: step.priority, project: step.project },
                    now,
                  ),
                );
                break;
              case "batch": {
                const request = { units: step.units, priority: step.priority, project: step.project };
                const answers = instance.reserveBatch(
                  Array.from({ length: step.size }, () => request),
                  now,
                );
                for (const answer of answers) reserveOne(step.project, step.priority, step.units, answer);
                break;
              }
              case "settle": {
                const grant = grants.length > 0 ? grants[step.pick % grants.length] : undefined;
                if (!grant) break;
                const cost = Math.floor(grant.units * step.fraction);
                instance.settle(grant.id, { units: cost, outcome: step.outcome }, now);
                // Only an open grant settles; an expired one stays spent in full, a settled one stays settled.
                if (grant.cost === undefined && now < grant.expiresAt) {
                  grant.cost = step.outcome === "ok" ? cost : Math.max(1, cost);
                  if (step.outcome === "quotaExceeded")
                    exhausted.add(`${grant.project}|${pacificDayKey(now)}`);
                }
                break;
              }
              case "advance":
                now += step.ms;
                break;
              case "reset":
                now = nextPacificReset(now) + step.offsetMs;
                break;
            }

            // After every step: the ledger agrees with the model, and no day exceeds its limit.
            const status = instance.status(now);
            for (const p of status.projects) {
              const limit = LIMITS[p.id] ?? 0;
              expect(p.dailyLimit).toBe(limit);
              expect(p.used + p.reserved).toBe(committed(p.id, status.day));
              expect(p.used + p.reserved).toBeLessThanOrEqual(limit);
              expect(p.reserved).toBe(
                grants
                  .filter(
                    (g) =>
                      g.project === p.id && g.day === status.day && g.cost === undefined && now < g.expiresAt,
                  )
                  .reduce((sum, g) => sum + g.units, 0),
              );
            }
            for (const g of grants)
              expect(committed(g.project, g.day)).toBeLessThanOrEqual(LIMITS[g.project] ?? 0);
          }
        });
      }),
      { numRuns: 100 },
    );
    // ~5 s alone; the whole suite runs in parallel on a shared machine.
  }, 120_000);
});
