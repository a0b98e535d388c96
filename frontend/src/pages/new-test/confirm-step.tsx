import { A, useAction, useSubmission } from "@solidjs/router";
import { For, Show } from "solid-js";
import { ApiError, messageOf } from "../../data/api";
import { createTest, type NewTest } from "../../data/tests";
import type { Video } from "../../data/videos";
import { variantName } from "../../format";
import { type Step, stepNames } from "./steps";

/** Step 4: what will happen, then start (or save a draft); API errors in words with a way back. */
export default function ConfirmStep(props: {
  video: Video;
  titles: string[];
  summary: [string, string][];
  body: (draft: boolean) => NewTest;
  onEdit: (step: Step) => void;
}) {
  const create = useAction(createTest);
  const submission = useSubmission(createTest);
  const error = () => submission.error as unknown;
  // A field the API refused tells which step to go back to.
  const stepOf = (err: unknown): Step | null => {
    if (!(err instanceof ApiError)) return null;
    const path = err.issues[0]?.path ?? "";
    if (path.startsWith("titles")) return 2;
    if (path && path !== "videoId") return 3;
    return err.code === "not_found" ? 1 : null;
  };
  return (
    <section class="step">
      <h2>Confirm</h2>
      <div class="confirm-video">
        <Show when={props.video.thumbnailUrl}>
          {(src) => <img src={src()} alt="" width="160" height="90" />}
        </Show>
        <p>{props.video.title}</p>
      </div>
      <ol class="title-list">
        <For each={props.titles}>
          {(t, i) => (
            <li>
              <strong>{variantName(i())}</strong> {t.trim()}{" "}
              {i() === 0 ? <span class="hint">(current)</span> : null}
            </li>
          )}
        </For>
      </ol>
      <dl class="summary">
        <For each={props.summary}>
          {([label, value]) => (
            <div>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          )}
        </For>
      </dl>
      <Show when={error()}>
        {(err) => (
          <div class="error" role="alert">
            <p>{messageOf(err())}</p>
            <div class="row">
              <Show when={stepOf(err())}>
                {(step) => (
                  <button type="button" onClick={() => props.onEdit(step())}>
                    Change {stepNames[step() - 1]?.toLowerCase()}
                  </button>
                )}
              </Show>
              <Show when={err() instanceof ApiError && (err() as ApiError).code === "conflict"}>
                <A href="/dashboard">Go to your tests</A>
              </Show>
            </div>
          </div>
        )}
      </Show>
      <div class="row">
        <button type="button" onClick={() => props.onEdit(3)}>
          Back
        </button>
        <button
          type="button"
          class="primary"
          disabled={submission.pending}
          onClick={() => void create(props.body(false)).catch(() => {})}
        >
          {submission.pending && !submission.input?.[0]?.draft ? "Starting…" : "Start test"}
        </button>
        <button
          type="button"
          disabled={submission.pending}
          onClick={() => void create(props.body(true)).catch(() => {})}
        >
          Save as draft
        </button>
      </div>
    </section>
  );
}
