import { revalidate } from "@solidjs/router";
import { ErrorBoundary, type JSX, Show } from "solid-js";
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

/**
 * Catches a failed load below it and shows it as a `LoadError` whose "Try again" refetches the
 * queries under `keys`, then re-renders. `instead` may draw some errors its own way (the
 * reconnect banner, a page frame) with the same `retry`; it returns `undefined` for the rest.
 */
export function LoadBoundary(props: {
  keys: string | string[];
  instead?: (error: unknown, retry: () => void) => JSX.Element | undefined;
  children: JSX.Element;
}) {
  return (
    <ErrorBoundary
      fallback={(err, reset) => {
        // Refetch first, then re-render: resetting before the new answer would show the old error.
        const retry = () => void revalidate(props.keys).then(reset);
        return props.instead?.(err, retry) ?? <LoadError error={err} retry={retry} />;
      }}
    >
      {props.children}
    </ErrorBoundary>
  );
}
