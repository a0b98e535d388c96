import type { TestStatus } from "../../schema/test-statuses";
import type { RotatorAnswer } from "./contract";
import type { Owner, TestDefinition, TestRecord } from "./mirror";
import { firstSlotAt, seedOf } from "./slot-grid";

const MINUTE = 60_000;

/** A title change sent (or about to be) and not yet seen through: the journal's open intent. */
export interface Intent {
  /** `open`: the next slot's title; `final`: the title the test ends on. */
  kind: "open" | "final";
  title: string;
  variant: number | null;
}

/** What the object knows of its test, in one JSON row (the slots have their own table). */
export interface State {
  testId: string;
  userId: string;
  videoId: string;
  titles: string[];
  titleIds: string[];
  originalTitle: string;
  intervalMs: number;
  offsetMs: number;
  metric: "views" | "ctr" | "watch_time";
  endsAt: number;
  autoApply: boolean;
  seed: number;
  status: TestStatus;
  /**
   * The step armed, and when it falls due; the alarm runs it. `settle`: a daily-metric test past
   * its end, waiting for its last days' Analytics rows.
   */
  step: "rotate" | "finish" | "settle" | null;
  dueAt: number | null;
  /** Transient failures in a row (backoff grows with them). */
  attempts: number;
  /** The title we expect live; null right after a resume from drift (the creator asked to go on). */
  expectedTitle: string | null;
  intent: Intent | null;
  /** The owner's plan and grant (ciphertext), refreshed from Postgres with every copy. */
  owner: Owner;
  /** Postgres missed the last copy: the next alarm copies first. */
  copyDue: boolean;
  /** The grant (ciphertext) a step found revoked: its owner is marked `needs_reauth` with the next copy. */
  lostGrant: string | null;
  /** The Pacific day (of the steps' time) whose Analytics rows were last fetched. */
  analyticsDay: string | null;
  /** When the owner's reach reporting job was created (ms; null: none yet). CTR tests only. */
  reachJobCreatedAt?: number | null;
  /** The last "impressions for <day> arrive around <date>" said on the test (said again only when it changes). */
  reachPending?: string | null;
  /** The `test.finished` job was sent (the owner's dashboard figures are rolled up). */
  finishAnnounced: boolean;
  /** The title to leave live when the test ends (set when it starts to finish). */
  final: { title: string; variant: number | null; status: "completed" | "stopped" } | null;
  record: TestRecord;
}

/** A scheduled test's first state: its first slot armed at `startsAt` (or now), a copy due. */
export function initialState(testId: string, def: TestDefinition, owner: Owner, now: number): State {
  const offsetMs = def.offsetSeconds * 1000;
  const startAt = firstSlotAt({ metric: def.metric, offsetMs }, Math.max(def.startsAt ?? now, now));
  return {
    testId,
    userId: def.userId,
    videoId: def.videoId,
    titles: def.titles.map((t) => t.text),
    titleIds: def.titles.map((t) => t.id),
    originalTitle: def.originalTitle,
    intervalMs: def.intervalMinutes * MINUTE,
    offsetMs,
    metric: def.metric,
    endsAt: def.endsAt,
    autoApply: def.autoApply,
    seed: seedOf(testId),
    status: "scheduled",
    step: "rotate",
    dueAt: startAt,
    attempts: 0,
    expectedTitle: def.originalTitle,
    intent: null,
    owner,
    copyDue: true,
    lostGrant: null,
    analyticsDay: null,
    finishAnnounced: false,
    final: null,
    record: { ...emptyRecord(), status: "scheduled", nextRotationAt: startAt },
  };
}

function emptyRecord(): TestRecord {
  return {
    status: "scheduled",
    currentVariant: null,
    nextRotationAt: null,
    startedAt: null,
    finishedAt: null,
    decision: null,
    winnerVariant: null,
    winnerLift: null,
    pValue: null,
    leaderVariant: null,
    leaderPBest: null,
    finalVariant: null,
    finalTitleSetAt: null,
  };
}

/** The variant whose text is `title`, if any (the original title is variant 0 when it was kept). */
export function variantOfTitle(state: State, title: string): number | null {
  const i = state.titles.indexOf(title);
  return i >= 0 ? i : null;
}

/** A control method's refusal, which a route turns into a 4xx. */
export function refuse(code: "conflict" | "not_found", message: string): RotatorAnswer {
  return { ok: false, code, message };
}
