import { createAsync, useAction, useSubmission } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { kindLabels, type NotificationKind, notificationKinds } from "../../../worker/notifications/kinds";
import { getNotificationChoices, setNotificationChoice } from "../data/notifications";
import { SubmissionError } from "./action-button";

/**
 * Which e-mails the creator gets: one switch per kind, saved as soon as it is flipped. A switch
 * shows its new state at once and falls back if the save fails.
 */
export default function NotificationSettings() {
  const choices = createAsync(() => getNotificationChoices());
  const save = useAction(setNotificationChoice);
  const submission = useSubmission(setNotificationChoice);
  const [pending, setPending] = createSignal<Partial<Record<NotificationKind, boolean>>>({});

  const isOn = (kind: NotificationKind) => pending()[kind] ?? choices()?.[kind] ?? false;

  async function flip(kind: NotificationKind, on: boolean) {
    setPending((p) => ({ ...p, [kind]: on }));
    try {
      await save({ [kind]: on });
    } finally {
      // Saved: the query is read again and shows it; failed: the switch shows what is stored.
      setPending((p) => ({ ...p, [kind]: undefined }));
    }
  }

  return (
    <section aria-labelledby="notifications-heading" id="notifications">
      <h2 id="notifications-heading">E-mail notifications</h2>
      <Show when={choices()} fallback={<p class="hint">Loading your e-mail choices…</p>}>
        <fieldset>
          <legend>E-mail me when…</legend>
          <For each={notificationKinds}>
            {(kind) => (
              <label class="row">
                <input
                  type="checkbox"
                  name={kind}
                  checked={isOn(kind)}
                  onChange={(e) => void flip(kind, e.currentTarget.checked)}
                />
                {kindLabels[kind]}
              </label>
            )}
          </For>
        </fieldset>
      </Show>
      <SubmissionError error={submission.error} />
    </section>
  );
}
