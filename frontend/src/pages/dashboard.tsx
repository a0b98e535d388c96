import { A, createAsync, useSearchParams } from "@solidjs/router";
import { For, Show, Suspense } from "solid-js";
import Countdown from "../components/countdown";
import { LoadBoundary } from "../components/load-error";
import ReauthBanner from "../components/reauth-banner";
import StatusBadge from "../components/status-badge";
import { pollWhileVisible } from "../data/poll";
import { type Dashboard, getDashboard, getTests, type Test, type TestStatus } from "../data/tests";
import { formatCompact, formatLift, formatProbability, variantName } from "../format";
import { SignedIn } from "../session";
import { finishedStatuses, liveStatuses } from "../test-words";

/** The status filters a creator can pick, each a set of statuses (none: every test). */
const filters: Record<string, { label: string; statuses?: readonly TestStatus[] }> = {
  all: { label: "All tests" },
  live: { label: "Live", statuses: liveStatuses },
  running: { label: "Running", statuses: ["running"] },
  paused: { label: "Paused", statuses: ["paused", "paused_drift", "needs_reauth"] },
  scheduled: { label: "Scheduled", statuses: ["scheduled"] },
  draft: { label: "Drafts", statuses: ["draft"] },
  finished: { label: "Finished", statuses: finishedStatuses },
};

/** The signed-in home: the creator's figures and their tests. */
export default function DashboardPage() {
  const [search, setSearch] = useSearchParams<{ status?: string }>();
  const filter = () => (search.status && search.status in filters ? search.status : "all");
  const statuses = () => filters[filter()]?.statuses;
  pollWhileVisible(() => [getDashboard.key, getTests.key], 30_000);
  return (
    <SignedIn>
      {(user) => (
        <main>
          <div class="title-row">
            <h1>Your tests</h1>
            <A class="button primary" href="/tests/new">
              New test
            </A>
          </div>
          <Show when={user.status === "needs_reauth"}>
            <ReauthBanner returnTo="/dashboard" />
          </Show>
          <LoadBoundary keys={getDashboard.key}>
            <DashboardFigures />
          </LoadBoundary>
          <div class="filter">
            <label for="status-filter">Show</label>
            <select
              id="status-filter"
              value={filter()}
              onChange={(e) =>
                setSearch({ status: e.currentTarget.value === "all" ? undefined : e.currentTarget.value })
              }
            >
              <For each={Object.entries(filters)}>{([key, f]) => <option value={key}>{f.label}</option>}</For>
            </select>
          </div>
          <LoadBoundary keys={getTests.key}>
            <TestList statuses={statuses()} />
          </LoadBoundary>
        </main>
      )}
    </SignedIn>
  );
}

function DashboardFigures() {
  const figures = createAsync(() => getDashboard());
  return (
    <Suspense fallback={<StatCards />}>
      <StatCards figures={figures()} />
    </Suspense>
  );
}

/** The four figures; grey blocks while they load. */
function StatCards(props: { figures?: Dashboard }) {
  const cards = () => {
    const f = props.figures;
    return [
      ["Active tests", f ? String(f.activeTests) : null],
      ["Views during tests", f ? formatCompact(f.viewsDuringTests) : null],
      [
        "Average lift of won tests",
        f ? (f.averageWinLift === null ? "—" : formatLift(f.averageWinLift)) : null,
      ],
      ["Tests won", f ? String(f.won) : null],
    ] as const;
  };
  return (
    <dl class="stats" aria-busy={!props.figures}>
      <For each={cards()}>
        {([label, value]) => (
          <div class={value === null ? "stat skeleton" : "stat"}>
            <dt>{label}</dt>
            <dd>{value ?? <span class="line" />}</dd>
          </div>
        )}
      </For>
    </dl>
  );
}

function TestList(props: { statuses: readonly TestStatus[] | undefined }) {
  const tests = createAsync(() => getTests(props.statuses));
  return (
    <Suspense
      fallback={
        <ul class="tests" aria-busy="true" aria-label="Loading tests">
          <For each={[1, 2, 3]}>
            {() => (
              <li class="test-row skeleton" aria-hidden="true">
                <div class="thumb" />
                <div class="line" />
              </li>
            )}
          </For>
        </ul>
      }
    >
      <Show when={tests()}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={
              <p class="empty">
                {props.statuses ? "No tests with this status." : "No tests yet. "}
                <Show when={!props.statuses}>
                  <A href="/tests/new">Start your first test</A>: pick a video and write a few titles.
                </Show>
              </p>
            }
          >
            <ul class="tests">
              <For each={list()}>{(test) => <TestRow test={test} />}</For>
            </ul>
          </Show>
        )}
      </Show>
    </Suspense>
  );
}

/** One test in the list: the whole row links to its page. */
function TestRow(props: { test: Test }) {
  const title = () => props.test.currentTitle ?? props.test.videoTitleOriginal;
  return (
    <li class="test-row">
      <div class="thumb">
        <img src={props.test.thumbnailUrl} alt="" loading="lazy" width="160" height="90" />
      </div>
      <div class="test-info">
        <A href={`/tests/${props.test.id}`} class="test-link">
          {title()}
        </A>
        <p class="meta">
          <StatusBadge status={props.test.status} />
          <Show when={props.test.status === "running"}>
            {" "}
            <Countdown to={props.test.nextRotationAt} label="next rotation" />
          </Show>
        </p>
        <Show when={props.test.leaderVariant !== null && props.test.leaderPBest !== null}>
          <p class="meta">
            Leader: {variantName(props.test.leaderVariant ?? 0)} ({formatProbability(props.test.leaderPBest)}{" "}
            to be best)
          </p>
        </Show>
      </div>
    </li>
  );
}
