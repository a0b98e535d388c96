import { useLocation, useSearchParams } from "@solidjs/router";
import { createMemo, createSignal, For, Match, Show, Switch } from "solid-js";
import { titleProblem } from "../../../../worker/title-tests/title-rules";
import ReauthBanner from "../../components/reauth-banner";
import type { Account } from "../../data/me";
import type { Video } from "../../data/videos";
import { SignedIn } from "../../session";
import ConfirmStep from "./confirm-step";
import { initialSettings, newTestOf, type Settings, settingsProblem, settingsSummary } from "./settings";
import SettingsStep from "./settings-step";
import { type Step, stepNames } from "./steps";
import TitlesStep from "./titles-step";
import VideoStep from "./video-step";

/** The new-test wizard: pick a video, write titles, choose settings, confirm. */
export default function NewTestPage() {
  return <SignedIn>{(user) => <Wizard user={user} />}</SignedIn>;
}

/** The wizard's frame and its state: the steps only show it and report changes. */
function Wizard(props: { user: Account }) {
  // The uploads page hands over the video it was opened from, sparing the first step.
  const location = useLocation<{ video?: Video }>();
  const [search] = useSearchParams<{ video?: string }>();
  const handed = location.state?.video?.videoId === search.video ? location.state?.video : undefined;

  const [step, setStep] = createSignal<Step>(handed ? 2 : 1);
  const [video, setVideo] = createSignal<Video | undefined>(handed);
  const [challengers, setChallengers] = createSignal<string[]>([""]);
  // One signal rather than a store: importing solid-js/store here splits the first-load JS in two.
  const [settings, setSettings] = createSignal<Settings>(initialSettings(props.user));

  const titles = () => [video()?.title ?? "", ...challengers()];
  const problems = createMemo(() =>
    challengers().map((text, i) =>
      titleProblem(
        text,
        titles().filter((_, j) => j !== i + 1),
      ),
    ),
  );
  const reauthShown = () => props.user.status === "needs_reauth";

  return (
    <main>
      <h1>New test</h1>
      <Show when={reauthShown()}>
        <ReauthBanner returnTo="/tests/new" />
      </Show>
      <ol class="wizard-steps">
        <For each={stepNames}>
          {(name, i) => (
            <li aria-current={step() === i() + 1 ? "step" : undefined} classList={{ done: step() > i() + 1 }}>
              <span class="step-number">{i() + 1}</span> {name}
            </li>
          )}
        </For>
      </ol>
      <Switch>
        <Match when={step() === 1}>
          <VideoStep
            selected={video()?.videoId}
            reauthShown={reauthShown()}
            onPick={(v) => {
              setVideo(v);
              setStep(2);
            }}
          />
        </Match>
        <Match when={step() === 2 && video()}>
          {(v) => (
            <TitlesStep
              video={v()}
              channel={props.user.channelTitle}
              challengers={challengers()}
              problems={problems()}
              onChange={setChallengers}
              onBack={() => setStep(1)}
              onNext={() => setStep(3)}
            />
          )}
        </Match>
        <Match when={step() === 3}>
          <SettingsStep
            user={props.user}
            videoId={video()?.videoId}
            titleCount={titles().length}
            settings={settings()}
            problem={settingsProblem(settings(), props.user.limits.intervals, titles().length)}
            onChange={(key, value) => setSettings((s) => ({ ...s, [key]: value }))}
            onBack={() => setStep(2)}
            onNext={() => setStep(4)}
          />
        </Match>
        <Match when={step() === 4 && video()}>
          {(v) => (
            <ConfirmStep
              video={v()}
              titles={titles()}
              summary={settingsSummary(settings())}
              body={(draft) => newTestOf(v().videoId, challengers(), settings(), draft)}
              onEdit={setStep}
            />
          )}
        </Match>
      </Switch>
    </main>
  );
}
