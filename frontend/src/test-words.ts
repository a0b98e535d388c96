import { finishedTestStatuses, liveTestStatuses } from "../../schema/test-statuses";
import type { Results, TestEvent, TestStatus } from "./data/tests";
import { formatDateTime, formatLift, variantName } from "./format";

/** A test's status in words, for badges and filters. */
export const statusWords: Record<TestStatus, string> = {
  draft: "Draft",
  scheduled: "Scheduled",
  running: "Running",
  paused: "Paused",
  paused_drift: "Paused: title edited",
  needs_reauth: "Paused: reconnect Google",
  video_missing: "Video gone",
  completed: "Completed",
  stopped: "Stopped",
};

/** Statuses in which a test still holds its video (the API's live statuses). */
export const liveStatuses: readonly TestStatus[] = liveTestStatuses;

/** Statuses in which a test is over (the API's finished statuses). */
export const finishedStatuses: readonly TestStatus[] = finishedTestStatuses;

/** Statuses from which a test can be deleted: drafts and finished tests. */
export const deletableStatuses: readonly TestStatus[] = ["draft", ...finishedStatuses];

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);
const variantOf = (value: unknown): string => {
  const v = num(value);
  return v === null ? "a title" : `title ${variantName(v)}`;
};

/** One event of a test's log in words. Unknown types still read as something. */
export function eventWords(event: Pick<TestEvent, "type" | "data">): string {
  const d = event.data;
  switch (event.type) {
    case "created":
      return "Test created.";
    case "edited":
      return "Settings changed.";
    case "scheduled": {
      const at = num(d.startAt);
      return at ? `Scheduled to start ${formatDateTime(new Date(at).toISOString())}.` : "Scheduled.";
    }
    case "started":
      return `Started with ${variantOf(d.variant)} live.`;
    case "rotated":
      return `Rotated: ${variantOf(d.variant)} is live (slot ${(num(d.slot) ?? 0) + 1}).`;
    case "paused":
      return "Paused by you.";
    case "resumed":
      return "Resumed.";
    case "stopped":
      return "Stopped by you.";
    case "apply_winner":
      return `You chose to keep ${variantOf(d.variant)}.`;
    case "finished":
      return d.decision === "winner"
        ? `Finished: ${variantOf(d.winner)} won.`
        : d.decision === "same"
          ? "Finished: the titles performed the same."
          : "Finished without a clear winner.";
    case "title_applied":
      return `Title set for good: “${str(d.title) ?? "?"}”.`;
    case "title_restored":
      return `Original title restored: “${str(d.title) ?? "?"}”.`;
    case "title_left":
      return `You retitled the video by hand (“${str(d.liveTitle) ?? "?"}”), so your title stays.`;
    case "title_not_set":
      return "The final title could not be set.";
    case "drift":
      return `Paused: the title was changed outside TitleTesterPro (“${str(d.liveTitle) ?? "?"}”). Resume to go on with the test's titles.`;
    case "needs_reauth":
      return "Paused: Google no longer lets us change your titles. Reconnect Google to go on.";
    case "video_missing":
      return "Ended: the video is gone or private.";
    case "quota_wait": {
      const at = num(d.retryAt);
      const when = at ? ` until ${formatDateTime(new Date(at).toISOString())}` : "";
      return `Waiting for YouTube API quota${when}; the current title stays live meanwhile.`;
    }
    case "retry":
      return `YouTube did not answer; trying again (attempt ${num(d.attempt) ?? "?"}).`;
    case "error":
      return `Something failed: ${str(d.message) ?? "unknown error"}.`;
    case "reach_pending": {
      const at = num(d.expectedAt);
      const when = at
        ? `around ${formatDateTime(new Date(at).toISOString())}`
        : "two days after its reporting job starts";
      return `Impressions for ${str(d.day) ?? "a day"} arrive from YouTube ${when}.`;
    }
    case "slot_dropped":
      return `A time slot was left out of the results (slot ${(num(d.slot) ?? 0) + 1}).`;
    default:
      return event.type.replaceAll("_", " ");
  }
}

/**
 * What a test already knows, in words: while it runs, the differences it rules out; for an
 * inconclusive end, also the smallest lift it could have seen; before a few rounds, that it is too
 * early. Null for a winner or "same", whose verdict says it already.
 */
export function knowledgeOf(results: Pick<Results, "analysis" | "whatTheTestKnows">): string | null {
  const { analysis, whatTheTestKnows: knows } = results;
  if (analysis.decision === "winner" || analysis.decision === "same") return null;
  if (knows.ruledOutBeyond === null) {
    return analysis.decision === "inconclusive"
      ? "The test ended before it could rule anything out."
      : "Too early to rule anything out: the test needs a few more full rounds.";
  }
  const beyond = `Differences larger than ±${Math.round(100 * knows.ruledOutBeyond)} % are ruled out`;
  if (analysis.decision === "inconclusive" && knows.smallestDetectable !== null) {
    return `${beyond}. The test could have found a title ${formatLift(knows.smallestDetectable)} better, or more.`;
  }
  return `${beyond} so far.`;
}
