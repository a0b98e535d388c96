import { type Action, useSubmission } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { messageOf } from "../data/api";

/** What a failed submission says, beside the control that sent it (role=alert: read out at once). */
export function SubmissionError(props: { error: unknown }) {
  return (
    <Show when={props.error}>
      {(err) => (
        <p class="error" role="alert">
          {messageOf(err())}
        </p>
      )}
    </Show>
  );
}

/** The state of a submission a button shows. */
interface SubmissionState {
  pending: boolean | undefined;
  error: unknown;
}

/**
 * A form posting to a router action, so it works by keyboard and shows its own pending state and
 * error. An action bound to arguments (`action.with(…)`) passes the submission to show, filtered
 * to those arguments, since every binding shares the action's submissions.
 */
export default function ActionButton(props: {
  action: Action<[], unknown>;
  submission?: SubmissionState;
  class?: string;
  children: JSX.Element;
}) {
  const own = useSubmission(props.action);
  const submission = (): SubmissionState => props.submission ?? own;
  return (
    <form action={props.action} method="post">
      <button type="submit" class={props.class} disabled={submission().pending}>
        {props.children}
      </button>
      <SubmissionError error={submission().error} />
    </form>
  );
}
