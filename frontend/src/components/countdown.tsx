import { Show } from "solid-js";
import { useNow } from "../clock";
import { formatCountdown } from "../format";

/** Time left until `to`, ticking every second; "any moment" once due (the rotator is on it). */
export default function Countdown(props: { to: string | null; label?: string }) {
  const now = useNow();
  const left = () => (props.to ? new Date(props.to).getTime() - now() : null);
  return (
    <Show when={left() !== null} fallback={<span class="hint">—</span>}>
      {/* aria-live off: a screen reader announcing every second would drown everything else. */}
      <span class="countdown" aria-live="off">
        <Show when={props.label}>{(label) => <>{label()} </>}</Show>
        <time datetime={props.to ?? undefined}>
          {(left() ?? 0) > 0 ? `in ${formatCountdown(left() ?? 0)}` : "any moment"}
        </time>
      </span>
    </Show>
  );
}
