import type { Pool } from "@neondatabase/serverless";
import { callsSince, emulatorAdmin, inParallel, type LoggedCall, type ProxyAttempt } from "./soak-stack";

/**
 * The soak's checker: compares what YouTube (the emulator) saw — its call log and each video's title
 * timeline — with what the app recorded in Postgres, test by test. Every loss counter must be 0.
 */

/** What the soak expects of one test at the end. */
export interface Expectation {
  testId: string;
  videoId: string;
  /** `finished`: completed with its final title live. `quota_wait`: its project ran out mid-run, so it may
   *  also still wait (running, or completed without its final title) for the Pacific reset. */
  expect: "finished" | "quota_wait";
}

export interface CheckInput {
  pool: Pool;
  emulatorUrl: string;
  expectations: Expectation[];
  /** The emulator's call-log id before the tests were created. */
  sinceCallId: number;
  /** Project exhausted mid-run (in the emulator), and when. */
  exhausted?: { project: string; at: number };
  /** The ledger's grant TTL: a grant handed out before it learnt of the exhaustion may still hit it. */
  grantTtlMs: number;
  /** The ledger's status (`GET /api/admin/quota`). */
  ledger: { projects: { id: string; used: number; reserved: number; dailyLimit: number }[] };
  /** Attempts as the Worker saw them (the time-out proxy's log). */
  attempts: ProxyAttempt[];
  /** The soak's creators: a test of theirs that the API did not answer 201 for is half-written. */
  userIds: string[];
}

interface TimelineEntry {
  title: string;
  setAt: string;
  source: string;
}

interface Finding {
  kind: string;
  testId?: string;
  videoId?: string;
  detail: string;
}

const ts = (v: unknown) =>
  v instanceof Date ? v.getTime() : v === null ? null : new Date(String(v)).getTime();

/** Runs every check; answers the figures and the findings behind every non-zero loss counter. */
export async function checkSoak(input: CheckInput) {
  const { pool } = input;
  const ids = input.expectations.map((e) => e.testId);
  const findings: Finding[] = [];
  const note = (f: Finding) => {
    if (findings.length < 200) findings.push(f);
  };

  const testRows = (
    await pool.query(
      `SELECT id, video_id, video_title_original, status, decision, winner_variant, final_variant, auto_apply,
              final_title_set_at, next_rotation_at, ends_at, started_at
         FROM tests WHERE id = ANY($1)`,
      [ids],
    )
  ).rows as Record<string, unknown>[];
  const titleRows = (
    await pool.query("SELECT test_id, variant, text FROM titles WHERE test_id = ANY($1)", [ids])
  ).rows as { test_id: string; variant: number; text: string }[];
  const slotRows = (
    await pool.query(
      `SELECT test_id, slot_index, variant, started_at, ended_at, views_start, views_end
         FROM slots WHERE test_id = ANY($1) ORDER BY test_id, slot_index`,
      [ids],
    )
  ).rows as Record<string, unknown>[];
  const eventRows = (
    await pool.query(
      "SELECT test_id, type, rotator_seq, created_at, data FROM events WHERE test_id = ANY($1) ORDER BY test_id, created_at, rotator_seq",
      [ids],
    )
  ).rows as { test_id: string; type: string; rotator_seq: number; created_at: unknown; data: unknown }[];
  const deadLetters = Number(
    ((await pool.query("SELECT count(*)::int AS n FROM dead_letters")).rows[0] as { n: number }).n,
  );

  const byTest = <T extends { test_id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) map.set(r.test_id, [...(map.get(r.test_id) ?? []), r]);
    return map;
  };
  const titlesOf = byTest(titleRows);
  const slotsOf = byTest(slotRows as (Record<string, unknown> & { test_id: string })[]);
  const eventsOf = byTest(eventRows);

  const calls = (await callsSince(input.emulatorUrl, input.sinceCallId)).filter((c) => c.method !== "other");
  const timelines = new Map<string, TimelineEntry[]>();
  await inParallel(input.expectations, 16, async (e) => {
    const t = await emulatorAdmin<{ titles: TimelineEntry[] }>(
      input.emulatorUrl,
      "GET",
      `/videos/${e.videoId}/timeline`,
    );
    timelines.set(e.videoId, t.titles);
  });

  let slotsLost = 0;
  let slotsDoubleCounted = 0;
  let duplicateUpdates = 0;
  let wrongFinalState = 0;
  let failedForGood = 0;
  let totalSlots = 0;
  let titleChanges = 0;
  const statusCount: Record<string, number> = {};
  const updatesByVideo = new Map<string, number>();
  for (const c of calls)
    if (c.method === "videos.update" && c.status === 200 && c.videoId)
      updatesByVideo.set(c.videoId, (updatesByVideo.get(c.videoId) ?? 0) + 1);

  for (const e of input.expectations) {
    const test = testRows.find((t) => t.id === e.testId);
    if (!test) {
      wrongFinalState++;
      note({ kind: "missing_test", testId: e.testId, detail: "no row in tests" });
      continue;
    }
    const status = String(test.status);
    statusCount[status] = (statusCount[status] ?? 0) + 1;
    const variants = new Map((titlesOf.get(e.testId) ?? []).map((t) => [t.variant, t.text]));
    const slots = (slotsOf.get(e.testId) ?? []).map((s) => ({
      index: Number(s.slot_index),
      variant: Number(s.variant),
      startedAt: ts(s.started_at) as number,
      endedAt: ts(s.ended_at),
      viewsStart: Number(s.views_start),
      viewsEnd: s.views_end === null ? null : Number(s.views_end),
    }));
    totalSlots += slots.length;

    // Slots lost: gaps in the indices, views that do not chain across a shared boundary, a slot left
    // open before another, an unclosed slot in a finished test.
    slots.forEach((s, i) => {
      if (s.index !== i) {
        slotsLost++;
        note({ kind: "slot_gap", testId: e.testId, detail: `slot ${i} expected, found ${s.index}` });
      }
      const next = slots[i + 1];
      if (next) {
        if (s.endedAt === null) {
          slotsLost++;
          note({
            kind: "slot_unclosed",
            testId: e.testId,
            detail: `slot ${s.index} open before ${next.index}`,
          });
        } else if (s.endedAt === next.startedAt && s.viewsEnd !== next.viewsStart) {
          slotsLost++;
          note({
            kind: "views_break",
            testId: e.testId,
            detail: `slot ${s.index} ends at ${s.viewsEnd} views, slot ${next.index} starts at ${next.viewsStart}`,
          });
        }
        // Double count: two slots over the same time, or views counted twice.
        if (s.endedAt !== null && next.startedAt < s.endedAt) {
          slotsDoubleCounted++;
          note({
            kind: "slot_overlap",
            testId: e.testId,
            detail: `slots ${s.index} and ${next.index} overlap`,
          });
        }
        if (s.viewsEnd !== null && next.viewsStart < s.viewsEnd) {
          slotsDoubleCounted++;
          note({
            kind: "views_overlap",
            testId: e.testId,
            detail: `slot ${next.index} starts at ${next.viewsStart} < ${s.viewsEnd}`,
          });
        }
      }
      if (s.viewsEnd !== null && s.viewsEnd < s.viewsStart) {
        slotsDoubleCounted++;
        note({ kind: "views_negative", testId: e.testId, detail: `slot ${s.index}` });
      }
    });
    const finished = status === "completed" || status === "stopped";
    const last = slots.at(-1);
    if (finished && last && last.endedAt === null && test.final_title_set_at !== null) {
      slotsLost++;
      note({
        kind: "slot_unclosed",
        testId: e.testId,
        detail: `last slot ${last.index} of a finished test is open`,
      });
    }

    // What YouTube saw must match the slots: every title change the app made is a slot (or the final title).
    const timeline = timelines.get(e.videoId) ?? [];
    const apiChanges = timeline.filter((t, i) => i > 0 && t.source === "api").map((t) => t.title);
    const expected: string[] = [];
    let prev = String(test.video_title_original);
    for (const s of slots) {
      const t = variants.get(s.variant) ?? "?";
      if (t !== prev) expected.push(t);
      prev = t;
    }
    if (test.final_title_set_at !== null && test.final_variant !== null) {
      const t = variants.get(Number(test.final_variant)) ?? "?";
      if (t !== prev) expected.push(t);
    }
    titleChanges += apiChanges.length;
    const mismatch = firstDifference(expected, apiChanges);
    if (mismatch !== null) {
      slotsLost++;
      note({
        kind: "timeline_mismatch",
        testId: e.testId,
        videoId: e.videoId,
        detail: `title changes recorded ${JSON.stringify(expected.slice(Math.max(0, mismatch - 1), mismatch + 2))} vs YouTube's ${JSON.stringify(apiChanges.slice(Math.max(0, mismatch - 1), mismatch + 2))} at change ${mismatch} (${expected.length} vs ${apiChanges.length})`,
      });
    }

    // Duplicate updates: more successful videos.update calls than title changes.
    const updates = updatesByVideo.get(e.videoId) ?? 0;
    if (updates > apiChanges.length) {
      duplicateUpdates += updates - apiChanges.length;
      note({
        kind: "duplicate_update",
        testId: e.testId,
        videoId: e.videoId,
        detail: `${updates} successful videos.update for ${apiChanges.length} title changes`,
      });
    }

    // Final state.
    const liveTitle = timeline.at(-1)?.title;
    const events = eventsOf.get(e.testId) ?? [];
    const done = finished && test.final_title_set_at !== null;
    let ok = false;
    if (done) {
      const decision = String(test.decision);
      const winner = test.winner_variant === null ? null : Number(test.winner_variant);
      const wanted =
        decision === "winner" && test.auto_apply && winner !== null
          ? variants.get(winner)
          : String(test.video_title_original);
      ok = ["winner", "same", "inconclusive"].includes(decision) && liveTitle === wanted;
    } else if (e.expect === "quota_wait") {
      // Waiting for the reset: the slot runs on, nothing is changed, the next step is at the reset.
      const next = ts(test.next_rotation_at);
      const waiting = events.some((ev) => ev.type === "quota_wait");
      ok =
        ["running", "completed"].includes(status) &&
        waiting &&
        next !== null &&
        next > Date.now() &&
        liveTitle === (last ? variants.get(last.variant) : String(test.video_title_original));
    }
    if (!ok) {
      wrongFinalState++;
      note({
        kind: "wrong_final_state",
        testId: e.testId,
        videoId: e.videoId,
        detail: `status ${status}, decision ${test.decision}, final ${test.final_variant} set ${test.final_title_set_at !== null}, live "${liveTitle}", next ${test.next_rotation_at}, last events ${events
          .slice(-4)
          .map((ev) => ev.type)
          .join(",")}`,
      });
    }

    // Failed for good: a step that failed and was never followed by a successful one, or a step
    // the rotator gave up on (error, title_not_set, slot_dropped).
    const lastEvent = events.at(-1);
    if (lastEvent?.type === "retry") {
      failedForGood++;
      note({ kind: "retry_unfinished", testId: e.testId, detail: JSON.stringify(lastEvent.data) });
    }
    for (const ev of events)
      if (["error", "title_not_set", "slot_dropped"].includes(ev.type)) {
        failedForGood++;
        note({ kind: `gave_up_${ev.type}`, testId: e.testId, detail: JSON.stringify(ev.data) });
      }
  }
  // Half-written tests: rows of the soak's creators that no 201 answered (a create that failed and left a row).
  const orphans = (
    await pool.query(
      "SELECT id, video_id, status, next_rotation_at, created_at FROM tests WHERE user_id = ANY($1) AND NOT (id = ANY($2))",
      [input.userIds, ids],
    )
  ).rows as Record<string, unknown>[];
  for (const o of orphans) {
    wrongFinalState++;
    note({
      kind: "half_written_test",
      testId: String(o.id),
      videoId: String(o.video_id),
      detail: `status ${o.status}, next ${o.next_rotation_at}, created ${o.created_at}: the API did not answer 201 for it`,
    });
  }
  failedForGood += deadLetters;
  if (deadLetters > 0) note({ kind: "dead_letters", detail: `${deadLetters} jobs failed every retry` });

  // Grants over a project's limit: the ledger's count, the emulator's day, and calls the ledger let
  // through to a project after it knew (grant TTL later) that the project was exhausted.
  let grantsOverLimit = 0;
  const projects: Record<string, unknown>[] = [];
  for (const p of input.ledger.projects) {
    const quota = await emulatorAdmin<{ used: number; limit: number }>(
      input.emulatorUrl,
      "GET",
      `/projects/${p.id}/quota`,
    ).catch(() => null);
    const over =
      Math.max(0, p.used + p.reserved - p.dailyLimit) +
      Math.max(0, (quota?.used ?? 0) - (quota?.limit ?? Infinity));
    grantsOverLimit += over > 0 ? 1 : 0;
    const quotaExceeded = calls.filter((c) => c.project === p.id && c.reason === "quotaExceeded");
    let lateGrants = 0;
    if (quotaExceeded.length > 0) {
      const known = callTime(quotaExceeded[0] as LoggedCall);
      lateGrants = quotaExceeded.filter((c) => callTime(c) > known + input.grantTtlMs).length;
      grantsOverLimit += lateGrants;
      if (lateGrants > 0)
        note({
          kind: "grant_after_exhaustion",
          detail: `${lateGrants} calls charged to ${p.id} answered quotaExceeded more than the grant TTL after the first`,
        });
    }
    projects.push({
      id: p.id,
      ledgerUsed: p.used,
      ledgerReserved: p.reserved,
      ledgerLimit: p.dailyLimit,
      youtubeUsed: quota?.used ?? null,
      youtubeLimit: quota?.limit ?? null,
      quotaExceededAnswers: quotaExceeded.length,
      quotaExceededAfterKnown: lateGrants,
    });
  }

  // Success rates: every attempt (emulator log + the proxy's time-outs), and after the client's retries.
  const apiCalls = calls.filter((c) => c.method !== "analytics.reports" && !c.method.startsWith("oauth"));
  const proxied = input.attempts;
  const attemptStats = successAfterRetries(proxied);
  const byMethod: Record<
    string,
    { attempts: number; ok: number; failed5xx: number; timeouts: number; quota: number }
  > = {};
  for (const a of proxied) {
    const m = byMethod[a.method] ?? { attempts: 0, ok: 0, failed5xx: 0, timeouts: 0, quota: 0 };
    byMethod[a.method] = m;
    m.attempts++;
    if (a.status >= 200 && a.status < 300) m.ok++;
    else if (a.status === 0) m.timeouts++;
    else if (a.status >= 500) m.failed5xx++;
    else if (a.status === 403) m.quota++;
  }

  return {
    tests: input.expectations.length,
    statuses: statusCount,
    slots: totalSlots,
    losses: {
      slotsLost,
      slotsDoubleCounted,
      duplicateUpdates,
      grantsOverLimit,
      testsInWrongFinalState: wrongFinalState,
      callsFailedForGood: failedForGood,
    },
    youtube: {
      emulatorLoggedCalls: apiCalls.length,
      successfulUpdates: [...updatesByVideo.values()].reduce((a, b) => a + b, 0),
      attempts: proxied.length,
      attemptSuccessRate: ratio(
        proxied.filter((a) => a.status >= 200 && a.status < 300).length,
        proxied.length,
      ),
      callsAfterClientRetries: attemptStats.calls,
      successRateAfterClientRetries: ratio(attemptStats.ok, attemptStats.calls),
      byMethod,
      titleChangesMade: titleChanges,
      /** Title changes that went through in the end (the rotator retries a failed step) against those given up. */
      successRateAfterRotatorRetries: ratio(titleChanges, titleChanges + failedForGood),
    },
    projects,
    deadLetters,
    findings,
  };
}

function callTime(c: LoggedCall): number {
  return Date.parse(c.at);
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : Number((a / b).toFixed(5));
}

/** Index of the first difference of two lists (null when equal). */
function firstDifference(a: string[], b: string[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return null;
}

/**
 * Groups attempts into calls as the Worker's client made them: a failed attempt followed by an
 * attempt with the same request within the client's backoff (≤ 2 s after the answer, or after its
 * 10 s time-out) is a retry of the same call. A call succeeded when its last attempt did.
 */
function successAfterRetries(attempts: ProxyAttempt[]): { calls: number; ok: number } {
  const open = new Map<string, { until: number; ok: boolean }>();
  let calls = 0;
  let ok = 0;
  const sorted = [...attempts].sort((a, b) => a.at - b.at);
  const finals: boolean[] = [];
  const index = new Map<string, number>();
  for (const a of sorted) {
    const success = a.status >= 200 && a.status < 400;
    const prev = open.get(a.key);
    if (prev && !prev.ok && a.at <= prev.until) {
      finals[index.get(a.key) as number] = success;
    } else {
      index.set(a.key, finals.length);
      finals.push(success);
    }
    open.set(a.key, { ok: success, until: a.at + (a.status === 0 ? 10_000 : 1_000) + 2_500 });
  }
  calls = finals.length;
  ok = finals.filter(Boolean).length;
  return { calls, ok };
}
