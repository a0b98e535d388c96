import { Show } from "solid-js";
import { ApiError, messageOf } from "../data/api";

/** What went wrong, in words, with a way to try again. */
export default function LoadError(props: { error: unknown; retry: () => void }) {
  const requestId = () => (props.error instanceof ApiError ? props.error.requestId : null);
  return (
    <div class="error" role="alert">
      <p>{messageOf(props.error)}</p>
      <Show when={requestId()}>{(id) => <p class="hint">Reference: {id()}</p>}</Show>
      <button type="button" onClick={() => props.retry()}>
        Try again
      </button>
    </div>
  );
}
