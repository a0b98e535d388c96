import { For, Show } from "solid-js";
import TestPlan from "../../components/test-plan";
import type { Account } from "../../data/me";
import { formatDateTime, formatInterval, planNames } from "../../format";
import { endTime, type Metric, metricNames, type Settings } from "./settings";
import StepForm from "./step-form";

/** Step 3: the interval, the metric, the start, the length and what happens at the end. */
export default function SettingsStep(props: {
  user: Account;
  /** The chosen video and how many titles it tests (the current one included), for the plan. */
  videoId: string | undefined;
  titleCount: number;
  settings: Settings;
  problem: string | null;
  onChange: <K extends keyof Settings>(key: K, value: Settings[K]) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const s = () => props.settings;
  const end = () => endTime(props.settings);
  return (
    <StepForm legend="Settings" problem={props.problem} onBack={props.onBack} onNext={props.onNext}>
      <IntervalChoice
        user={props.user}
        value={s().intervalMinutes}
        onChange={(m) => props.onChange("intervalMinutes", m)}
      />
      <Show when={props.videoId}>
        {(id) => <TestPlan videoId={id()} titles={props.titleCount} intervalMinutes={s().intervalMinutes} />}
      </Show>
      <fieldset>
        <legend>What decides the winner</legend>
        <label class="choice">
          <input
            type="radio"
            name="metric"
            checked={s().metric === "views"}
            onChange={() => props.onChange("metric", "views")}
          />{" "}
          {metricNames.views} <span class="hint">— counted live, works with every interval</span>
        </label>
        <For each={["ctr", "watch_time"] as const satisfies readonly Metric[]}>
          {(value) => (
            <label class="choice" classList={{ disabled: s().intervalMinutes !== 1440 }}>
              <input
                type="radio"
                name="metric"
                disabled={s().intervalMinutes !== 1440}
                checked={s().metric === value}
                onChange={() => props.onChange("metric", value)}
              />{" "}
              {metricNames[value]}
            </label>
          )}
        </For>
        <p class="hint">
          Click-through rate and watch time are judged from YouTube Analytics daily figures, which arrive 2–3
          days late. They need the 24-hour interval, and the result comes days after the test ends.
        </p>
      </fieldset>
      <fieldset>
        <legend>Start</legend>
        <label class="choice">
          <input
            type="radio"
            name="start"
            checked={!s().startLater}
            onChange={() => props.onChange("startLater", false)}
          />{" "}
          Now
        </label>
        <label class="choice">
          <input
            type="radio"
            name="start"
            checked={s().startLater}
            onChange={() => props.onChange("startLater", true)}
          />{" "}
          At a time
        </label>
        <Show when={s().startLater}>
          <label class="field">
            Start time
            <input
              type="datetime-local"
              value={s().startAt}
              onInput={(e) => props.onChange("startAt", e.currentTarget.value)}
            />
          </label>
        </Show>
      </fieldset>
      <label class="field">
        Run for (days)
        <input
          type="number"
          min="1"
          max="30"
          inputmode="numeric"
          value={s().days}
          onInput={(e) => props.onChange("days", e.currentTarget.valueAsNumber)}
          aria-describedby="ends-at"
        />
        <span id="ends-at" class="hint">
          {Number.isFinite(end())
            ? `Ends ${formatDateTime(new Date(end()).toISOString())} at the latest, earlier when a title wins clearly. At most 30 days.`
            : ""}
        </span>
      </label>
      <label class="choice">
        <input
          type="checkbox"
          checked={s().autoApply}
          onChange={(e) => props.onChange("autoApply", e.currentTarget.checked)}
        />{" "}
        Keep the winning title when the test ends
        <span class="hint"> — otherwise the current title comes back</span>
      </label>
    </StepForm>
  );
}

/** Every interval the app offers: the plan's are choices, the others shown disabled with why. */
function IntervalChoice(props: { user: Account; value: number; onChange: (minutes: number) => void }) {
  return (
    <fieldset>
      <legend>Rotate the title every</legend>
      <div class="intervals">
        <For each={props.user.intervalChoices}>
          {(minutes) => {
            const allowed = () => props.user.limits.intervals.includes(minutes);
            return (
              <label class="choice" classList={{ disabled: !allowed() }}>
                <input
                  type="radio"
                  name="interval"
                  value={minutes}
                  disabled={!allowed()}
                  checked={props.value === minutes}
                  onChange={() => props.onChange(minutes)}
                />{" "}
                {formatInterval(minutes)}
                <Show when={!allowed()}>
                  <span class="hint">
                    {" "}
                    —{" "}
                    {minutes < props.user.limits.minIntervalMinutes
                      ? `the ${planNames[props.user.plan]} plan rotates every ${formatInterval(props.user.limits.minIntervalMinutes)} at the shortest`
                      : "not offered here"}
                  </span>
                </Show>
              </label>
            );
          }}
        </For>
      </div>
      <p class="hint">Shorter intervals decide sooner. Every rotation changes the live title on YouTube.</p>
    </fieldset>
  );
}
