import type {
  QuotaDenialReason,
  QuotaPlan,
  QuotaPolicy,
  QuotaPriority,
  QuotaProjectConfig,
  QuotaRequest,
  QuotaSettlement,
} from "../../worker/quota/types";
import { bandCeiling, bandHeadroom, headroom, type ProjectDay } from "./bands";

/**
 * The ledger's pure rules: which requests are well formed, which project a grant or a new user
 * goes to, and why (and until when) a request is denied. No storage, no clock of their own.
 */

/** Largest single request: no YouTube call costs more than a few thousand units. */
export const MAX_REQUEST_UNITS = 100_000;
/** Largest herd one `reserveBatch` call answers. */
export const MAX_BATCH = 5_000;
/** When a denial may clear by open grants settling for less than they reserved. */
const RETRY_SOON_MS = 30_000;
/** When a denial for configuration (unknown project, missing key) is worth retrying. */
export const RETRY_CONFIG_MS = 5 * 60_000;

/** Every priority, in the order status reports them. */
export const PRIORITIES: readonly QuotaPriority[] = ["premium", "standard", "background"];
const PLANS: readonly QuotaPlan[] = ["free", "pro", "authority"];

/** A project the ledger knows: configured (QUOTA_PROJECTS) or stored through the admin API. */
export type ProjectRecord = QuotaProjectConfig & { source: "config" | "admin" };

/** A project's day with the numbers the ledger decides on. */
export interface ProjectState extends ProjectDay {
  project: ProjectRecord;
  exhaustedUntil: number | null;
}

/** Whether `value` is a quota priority. */
export function isPriority(value: unknown): value is QuotaPriority {
  return typeof value === "string" && (PRIORITIES as readonly string[]).includes(value);
}

/** Whether `value` is a plan. */
export function isPlan(value: unknown): value is QuotaPlan {
  return typeof value === "string" && (PLANS as readonly string[]).includes(value);
}

/** Refuses a malformed settlement before anything is written. */
export function checkSettlement(settlement: QuotaSettlement): void {
  if (!Number.isInteger(settlement.units) || settlement.units < 0 || settlement.units > MAX_REQUEST_UNITS) {
    throw new RangeError(`units must be an integer from 0 to ${MAX_REQUEST_UNITS}`);
  }
  if (!["ok", "quotaExceeded", "error"].includes(settlement.outcome)) {
    throw new RangeError("outcome must be ok, quotaExceeded or error");
  }
}

/** Refuses a malformed request before anything is written. */
export function checkRequest(request: QuotaRequest): void {
  if (!Number.isInteger(request.units) || request.units < 1 || request.units > MAX_REQUEST_UNITS) {
    throw new RangeError(`units must be an integer from 1 to ${MAX_REQUEST_UNITS}`);
  }
  if (!isPriority(request.priority)) throw new RangeError("priority must be premium, standard or background");
  if (request.plan !== undefined && !isPlan(request.plan))
    throw new RangeError("plan must be free, pro or authority");
}

/** Refuses malformed pin requests before anything is written. */
export function checkPinArguments(userId: unknown, plan: unknown): void {
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 256) {
    throw new RangeError("userId must be a non-empty string");
  }
  if (plan !== undefined && !isPlan(plan)) throw new RangeError("plan must be free, pro or authority");
}

/** A project's day from its stored usage row (none yet: nothing used) as of `at`. */
export function projectState(
  project: ProjectRecord,
  row: { used: number; reserved: number; exhausted_until: number | null } | undefined,
  at: number,
): ProjectState {
  const exhaustedUntil = row?.exhausted_until ?? null;
  const exhausted = exhaustedUntil !== null && at < exhaustedUntil;
  return {
    project,
    dailyLimit: project.dailyLimit,
    used: row?.used ?? 0,
    reserved: row?.reserved ?? 0,
    exhausted,
    exhaustedUntil: exhausted ? exhaustedUntil : null,
  };
}

/**
 * The candidate with the most room in `priority`'s band that fits `units` and whose API key is
 * bound (`apiKey` answers undefined when not); `keyMissing` when a fitting one lacked its key.
 */
export function bestCandidate(
  candidates: readonly ProjectState[],
  units: number,
  priority: QuotaPriority,
  policy: QuotaPolicy,
  apiKey: (project: ProjectRecord) => string | undefined,
): { best?: { state: ProjectState; room: number; apiKey: string }; keyMissing: boolean } {
  let best: { state: ProjectState; room: number; apiKey: string } | undefined;
  let keyMissing = false;
  for (const state of candidates) {
    const room = bandHeadroom(state, priority, policy);
    if (room < units || (best && room <= best.room)) continue;
    const key = apiKey(state.project);
    if (key === undefined) {
      keyMissing = true;
      continue;
    }
    best = { state, room, apiKey: key };
  }
  return { best, keyMissing };
}

/**
 * Why no candidate could take `units` (none lacked a key), and when to retry: soon when open
 * grants settling for less could make room, else at the day's reset.
 */
export function denialFor(
  candidates: readonly ProjectState[],
  request: Pick<QuotaRequest, "units" | "priority" | "project">,
  policy: QuotaPolicy,
  at: number,
  dayEndsAt: number,
): { reason: QuotaDenialReason; retryAt: number } {
  const { units, priority } = request;
  // Units reserved by open grants come back when those settle for less: worth a retry soon.
  const fitsLater = candidates.some(
    (s) => !s.exhausted && s.reserved > 0 && s.used + units <= bandCeiling(s.dailyLimit, priority, policy),
  );
  const retryAt = fitsLater ? Math.min(at + RETRY_SOON_MS, dayEndsAt) : dayEndsAt;
  const noRoomAtAll = candidates.every((s) => headroom(s) < units);
  if (request.project !== undefined)
    return { reason: noRoomAtAll ? "project_exhausted" : "priority_band", retryAt };
  return { reason: noRoomAtAll ? "all_exhausted" : "priority_band", retryAt };
}

/**
 * The project a new user goes to: the most headroom per pinned user, so users spread in
 * proportion to each project's quota and today's spend; exhausted projects only when all are.
 */
export function projectForNewUser(
  states: readonly ProjectState[],
  pins: ReadonlyMap<string, number>,
): ProjectRecord | undefined {
  let best: { project: ProjectRecord; score: number } | undefined;
  for (const state of states) {
    const perUser = (room: number) => room / ((pins.get(state.project.id) ?? 0) + 1);
    const score = headroom(state) > 0 ? perUser(headroom(state)) : -1 / perUser(state.dailyLimit);
    if (!best || score > best.score) best = { project: state.project, score };
  }
  return best?.project;
}
