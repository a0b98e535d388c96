import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APP } from "../../test/worker/auth-fixtures";
import { changedParts, settle, snapshot } from "./checksum";
import { describeRequest, type Plan, planArb, type Send } from "./requests";
import { redirectProblem, sessionSet, signInFlowArb } from "./sign-in-flow";
import { perPart } from "./split";
import { buildWorld, type World } from "./world";

/**
 * The bad-input fuzzer's runner: thousands of random and hostile requests to every API route
 * (`routes.ts`), and whole sign-in flows (`sign-in-flow.ts`), sent one at a time through
 * `SELF.fetch` by a signed-in creator (the attacker, Alice), by nobody, and by forged sessions,
 * against the ids of a second creator (the victim, Bob) among others (`world.ts`). It counts the
 * answers by status class and fails on any 5xx, on any redirect that could lead off the app, and
 * on a broken sign-in invariant, printing the request. Around every plan it takes a checksum of
 * the database (`checksum.ts`), so that a refused plan that still wrote is caught. Only accepted
 * plans (2xx, the sign-in's 3xx) may write. Run it with `npm run bench:fuzz`.
 */

/** Requests in the whole run, over every part file. */
const TOTAL = Number(Reflect.get(env, "FUZZ_REQUESTS") ?? 0);
/** Requests per part (`split.ts`). */
const PER_PART = perPart(TOTAL);
const SEED = Number(Reflect.get(env, "FUZZ_SEED") ?? 1);
const PROGRESS_EVERY = Number(Reflect.get(env, "FUZZ_PROGRESS") ?? 1000);
/** Every how many plans the database is checked around one (1: all; 0: none). */
const CHECK_EVERY = Number(Reflect.get(env, "FUZZ_CHECK_EVERY") ?? 1);
/** A whole sign-in flow after every this many single requests (0: none). */
const FLOW_EVERY = Number(Reflect.get(env, "FUZZ_FLOW_EVERY") ?? 10);

interface Finding {
  index: number;
  route: string;
  mutation: string;
  status: number;
  request: string;
  answer: string;
  changed?: string[];
  violations?: string[];
}

/** Plans per `it`, so the progress shows per chunk. */
const CHUNK = 250;

/** How many plans carry `requests` single requests: one sign-in flow more per `FLOW_EVERY`. */
function plansFor(requests: number): number {
  return requests + (FLOW_EVERY > 0 ? Math.floor(requests / FLOW_EVERY) : 0);
}

/** The part's plans: its single requests, with a sign-in flow after every `FLOW_EVERY` of them. */
function partPlans(part: number, requests: number): Plan[] {
  const only = String(Reflect.get(env, "FUZZ_ONLY") ?? "");
  const singles = fc
    .sample(planArb, { numRuns: only ? requests * 40 : requests, seed: SEED + part })
    .filter((p) => !only || p.route.includes(only))
    .slice(0, requests);
  const flowCount = FLOW_EVERY > 0 ? Math.floor(requests / FLOW_EVERY) : 0;
  const flows =
    flowCount && (!only || "sign-in flow".includes(only))
      ? fc.sample(signInFlowArb, { numRuns: flowCount, seed: SEED + part })
      : [];
  if (only && singles.length === 0) return flows;
  return singles.flatMap((plan, i) => {
    const flow = (i + 1) % FLOW_EVERY === 0 ? flows[(i + 1) / FLOW_EVERY - 1] : undefined;
    return flow ? [plan, flow] : [plan];
  });
}

/**
 * One part of the run: its own two creators and tests, then its share of the requests, then its
 * figures (`FUZZ_PART <json>`, summed by bench/fuzz/reporter.ts into bench/results/fuzz.json).
 * Why parts: inside one test file every `SELF.fetch` took longer than the one before (the pool
 * keeps per-file state for each request and Durable Object call: 100 requests took 0.8 s at the
 * start of a file and 5 s after 300), so 10,000 requests in one file would take hours, while each
 * new file starts fast again.
 */
export function fuzzPart(part: number): void {
  const REQUESTS = Math.max(0, Math.min(PER_PART, TOTAL - (part - 1) * PER_PART));
  /** The number of this part's first plan in the whole run (plans count from 1 in what is printed). */
  const first = (part - 1) * plansFor(PER_PART);
  describe.skipIf(!REQUESTS)(`the bad-input fuzzer, part ${part}`, () => {
    // State shared by the chunks and the final report.
    let world: World;
    let plans: Plan[] = [];
    let setupSeconds = 0;
    let fuzzStarted = 0;
    let before: Record<string, string> = {};
    let bobBaseline: Record<string, string> = {};
    const byClass: Record<string, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
    const byStatus: Record<string, number> = {};
    const byRoute: Record<string, Record<string, number>> = {};
    const serverErrors: Finding[] = [];
    const refusedWrites: Finding[] = [];
    const nonJsonErrors: Finding[] = [];
    const unsafeRedirects: Finding[] = [];
    const flowViolations: Finding[] = [];
    const msByRoute: Record<string, { n: number; ms: number; max: number }> = {};
    let unsendable = 0;
    let sentCount = 0;
    let flows = 0;
    let flowsSignedIn = 0;
    let checked = 0;

    it("signs in two creators and makes their tests through the API", async () => {
      const started = Date.now();
      world = await buildWorld();
      setupSeconds = (Date.now() - started) / 1000;
      plans = partPlans(part, REQUESTS);
      bobBaseline = await settle(world);
      before = bobBaseline;
      fuzzStarted = Date.now();
    });

    // One test per chunk: in a single long test every SELF.fetch got slower than the one before
    // (the pool keeps per-test state for each request), making 10,000 requests take hours.
    const planCount = plansFor(REQUESTS);
    for (let from = 0; from < planCount; from += CHUNK) {
      const to = Math.min(planCount, from + CHUNK);
      it(`sends plans ${first + from + 1}–${first + to}`, async () => {
        await sendChunk(from, to);
      });
    }

    async function sendChunk(from: number, to: number): Promise<void> {
      for (const [offset, plan] of plans.slice(from, to).entries()) {
        const index = first + from + offset;
        // Counts and checks every answer of the plan: status, timing, the error shape, redirects.
        const send: Send = async (route, req) => {
          let res: Response;
          const sentAt = performance.now();
          try {
            res = await SELF.fetch(`${APP}${req.path}`, {
              method: req.method,
              headers: req.headers,
              body: req.body,
              redirect: "manual",
            });
          } catch (err) {
            // The fetch API itself refused to send it (a method or header it forbids): not the app's answer.
            unsendable++;
            if (unsendable <= 3) console.log(`not sendable: ${describeRequest(req)} (${String(err)})`);
            return null;
          }
          const text = await res.text();
          const ms = performance.now() - sentAt;
          sentCount++;
          const timing = msByRoute[route] ?? { n: 0, ms: 0, max: 0 };
          msByRoute[route] = timing;
          timing.n++;
          timing.ms += ms;
          timing.max = Math.max(timing.max, ms);
          const klass = `${Math.floor(res.status / 100)}xx`;
          byClass[klass] = (byClass[klass] ?? 0) + 1;
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
          const perRoute = byRoute[route] ?? {};
          byRoute[route] = perRoute;
          perRoute[klass] = (perRoute[klass] ?? 0) + 1;
          const finding = (violations?: string[]): Finding => ({
            index,
            route,
            mutation: plan.mutation,
            status: res.status,
            request: describeRequest(req),
            answer: `${res.headers.get("x-request-id") ?? ""} ${text.slice(0, 500)}`,
            ...(violations ? { violations } : {}),
          });
          if (res.status >= 500) serverErrors.push(finding());
          if (res.status >= 400 && req.method !== "HEAD" && req.path.startsWith("/api/")) {
            let shaped = false;
            try {
              const json = JSON.parse(text) as { error?: { code?: unknown; requestId?: unknown } };
              shaped = typeof json.error?.code === "string" && typeof json.error.requestId === "string";
            } catch {
              shaped = false;
            }
            if (!shaped) nonJsonErrors.push(finding());
          }
          const location = res.headers.get("location");
          const problem =
            location !== null && res.status >= 300 && res.status < 400 && redirectProblem(route, location);
          if (problem) unsafeRedirects.push(finding([`Location ${JSON.stringify(location)}: ${problem}`]));
          if (res.status >= 400 && sessionSet(res))
            unsafeRedirects.push(finding(["a refused request set a session cookie"]));
          return { res, text };
        };

        // Checked plans get a checksum right before and right after (every one by default).
        const sampled = CHECK_EVERY > 0 && index % CHECK_EVERY === 0;
        if (sampled && CHECK_EVERY > 1) before = await snapshot(world);
        const outcome = await plan.run(world, send);
        if (!outcome) continue;
        if (plan.route === "sign-in flow") {
          flows++;
          if (!outcome.refused) flowsSignedIn++;
        }
        const finding = (): Finding => ({
          index,
          route: plan.route,
          mutation: plan.mutation,
          status: outcome.status,
          request: outcome.request,
          answer: outcome.answer,
        });
        if (outcome.violations.length > 0)
          flowViolations.push({ ...finding(), violations: outcome.violations });

        if ((index + 1) % PROGRESS_EVERY === 0) {
          console.log(
            `${index + 1} plans, ${sentCount} requests sent (${((Date.now() - fuzzStarted) / 1000).toFixed(1)} s): ${JSON.stringify(byClass)}, ${serverErrors.length} server errors, ${refusedWrites.length} refused writes`,
          );
        }
        if (!sampled) continue;
        const after = await snapshot(world);
        checked++;
        const changed = changedParts(before, after);
        const bobChanged = changedParts(bobBaseline, after).filter((k) => k.startsWith("bob_"));
        if (bobChanged.length > 0) {
          refusedWrites.push({ ...finding(), changed: bobChanged });
          before = after;
          continue;
        }
        if (outcome.refused && changed.length > 0) refusedWrites.push({ ...finding(), changed });
        // What an accepted plan made (a new test of Alice's) joins the ids the next requests aim at.
        outcome.accepted?.();
        before = after;
      }
    }

    it(`answered ${REQUESTS} random and hostile requests and their sign-in flows without a 5xx, and refused ones changed nothing`, async () => {
      const fuzzSeconds = (Date.now() - fuzzStarted) / 1000;
      // Background work (rotators, jobs) has had the whole run: Bob's rows must still be as they were.
      const end = await settle(world);
      const bobEnd = changedParts(bobBaseline, end).filter((k) => k.startsWith("bob_"));

      const figures = {
        part,
        seed: SEED + part,
        requests: REQUESTS,
        sent: sentCount,
        unsendable,
        flows,
        flowsSignedIn,
        byClass,
        byStatus,
        byRoute,
        msByRoute,
        serverErrors,
        refusedWrites,
        unsafeRedirects,
        flowViolations,
        nonJsonErrors: nonJsonErrors.slice(0, 20),
        nonJsonErrorCount: nonJsonErrors.length,
        databaseChecks: checked,
        victimChangedAtEnd: bobEnd,
        database: String(Reflect.get(env, "DATABASE_URL") ?? "").includes("localhost:5432/postgres")
          ? "embedded"
          : "postgres",
        setupSeconds,
        fuzzSeconds,
      };
      console.log(
        `part ${part}: ${figures.sent} requests (${flows} sign-in flows) in ${fuzzSeconds.toFixed(1)} s, ${JSON.stringify(byClass)}; ` +
          `${refusedWrites.length} refused plans wrote; ${unsafeRedirects.length} unsafe redirects; ` +
          `${flowViolations.length} broken sign-in invariants; ${checked} checksums; Bob ${bobEnd.length === 0 ? "unchanged" : `CHANGED (${bobEnd.join(", ")})`}` +
          ` (repeat: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${TOTAL} FUZZ_ONLY=… npm run bench:fuzz)`,
      );
      for (const f of serverErrors.slice(0, 20)) {
        console.log(
          `5xx #${f.index} ${f.route} [${f.mutation}] → ${f.status}\n    ${f.request}\n    answer: ${f.answer}`,
        );
      }
      for (const f of refusedWrites.slice(0, 20)) {
        console.log(
          `refused but wrote #${f.index} ${f.route} [${f.mutation}] → ${f.status}, changed ${f.changed?.join(", ")}\n    ${f.request}\n    answer: ${f.answer}`,
        );
      }
      for (const f of [...unsafeRedirects, ...flowViolations].slice(0, 20)) {
        console.log(
          `${f.violations?.join("; ")} #${f.index} ${f.route} [${f.mutation}] → ${f.status}\n    ${f.request}\n    answer: ${f.answer}`,
        );
      }
      console.log(`FUZZ_PART ${JSON.stringify(figures)}`);

      expect(serverErrors.map((f) => `${f.route} → ${f.status}`)).toEqual([]);
      expect(refusedWrites.map((f) => `${f.route} → ${f.status}: ${f.changed?.join(", ")}`)).toEqual([]);
      expect(unsafeRedirects.map((f) => `${f.route} → ${f.violations?.join("; ")}`)).toEqual([]);
      expect(flowViolations.map((f) => `${f.mutation}: ${f.violations?.join("; ")}`)).toEqual([]);
      expect(bobEnd).toEqual([]);
    });
  });
}
