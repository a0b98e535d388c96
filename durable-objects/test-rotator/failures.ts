import type { TestStatus } from "../../schema/test-statuses";
import { recordRotation } from "../../worker/metrics/record";
import { YouTubeError, type YouTubeErrorKind } from "../../worker/youtube/errors";
import type { State } from "./state";
import type { RotatorStore } from "./store";

const MINUTE = 60_000;
const MAX_BACKOFF_MS = 15 * MINUTE;

/**
 * What a failed step leaves: a lost grant waits for the creator (and is marked with the next
 * copy), a missing video ends the test, quota and rate limits wait for their retry time, what
 * retrying cannot fix pauses (or ends a finishing test as it is), and anything else backs off.
 */
export function onStepFailure(
  env: Pick<Env, "METRICS_RECORDER">,
  store: RotatorStore,
  state: State,
  err: unknown,
  at: number,
): void {
  const kind: YouTubeErrorKind = err instanceof YouTubeError ? err.kind : "transient";
  const message = err instanceof Error ? err.message : String(err);
  switch (kind) {
    case "auth_revoked":
      if (state.step === "rotate") {
        halt(state, "needs_reauth");
        store.event("needs_reauth", {});
        recordRotation(env, "needs_reauth");
        state.lostGrant = state.owner.refreshTokenEnc;
      } else {
        // Finishing without a grant: the title cannot be set; the test ends as it is.
        endWithoutTitle(store, state, "needs_reauth");
      }
      return;
    case "not_found":
      halt(state, "video_missing");
      state.intent = null;
      state.record.finishedAt ??= at;
      store.event("video_missing", {});
      recordRotation(env, "video_missing");
      return;
    case "quota_exhausted":
    case "rate_limited": {
      const retryAt = err instanceof YouTubeError && err.retryAt ? err.retryAt : at + 5 * MINUTE;
      state.dueAt = Math.max(retryAt, at + 1000);
      const reason = err instanceof YouTubeError ? err.reason : undefined;
      store.event("quota_wait", { reason, retryAt });
      recordRotation(env, "quota_wait");
      return;
    }
    case "forbidden":
    case "invalid_request":
      // Retrying cannot fix these: a running test waits for the creator, an ending one ends as it is.
      store.event("error", { kind, message });
      if (state.step === "finish") {
        endWithoutTitle(store, state, kind);
        return;
      }
      halt(state, "paused");
      state.intent = null;
      return;
    case "transient": {
      state.attempts += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** (state.attempts - 1));
      state.dueAt = at + backoff * (0.5 + Math.random() / 2);
      store.event("retry", { attempt: state.attempts, message: message.slice(0, 200) });
      recordRotation(env, "retry");
      return;
    }
  }
}

/** Leaves the test in `status` with no step armed. */
function halt(state: State, status: TestStatus): void {
  state.status = status;
  state.step = null;
  state.dueAt = null;
}

function endWithoutTitle(store: RotatorStore, state: State, reason: string): void {
  state.step = null;
  state.dueAt = null;
  state.intent = null;
  store.event("title_not_set", { reason });
}
