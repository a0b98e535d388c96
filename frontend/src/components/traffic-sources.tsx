import { For, Show } from "solid-js";
import type { Results, TrafficSources as Traffic } from "../data/tests";
import {
  countOf,
  formatDateTime,
  formatLift,
  formatLiftInterval,
  formatNumber,
  variantName,
} from "../format";
import { variantColor } from "./charts";
import TableWrap from "./table-wrap";

type VariantSources = Traffic["variants"][number];
type Source = VariantSources["sources"][number];

/** "+12 % (−3 % to +30 %)", the estimate alone while the interval is not estimable, or the control. */
function liftText(variant: number, s: Source): string {
  if (variant === 0) return "control";
  if (s.lift === null) return "not measured yet";
  if (s.liftLow === null || s.liftHigh === null) return `${formatLift(s.lift)} (interval after more rounds)`;
  return formatLiftInterval(s.lift, s.liftLow, s.liftHigh);
}

/**
 * Where each title's views came from (Browse, Suggested, Search, External…): for daily-slot tests,
 * one table per title of views, share and minutes watched by traffic source over the days it was
 * live, with the lift against the original title per source. The share is also drawn as a bar,
 * whose figure is in the cell's text. Nothing for tests with shorter slots (YouTube reports
 * sources by day only); until the first day is reported, when it should arrive.
 */
export default function TrafficSources(props: { results: Results }) {
  const traffic = () => props.results.trafficSources;
  const titleOf = (v: number) => props.results.titles.find((t) => t.variant === v)?.text ?? "";
  return (
    <Show when={traffic()}>
      {(t) => (
        <section aria-labelledby="sources-h" class="traffic-sources">
          <h2 id="sources-h">Where the views came from</h2>
          <Show
            when={t().daysWithData > 0}
            fallback={
              <p class="hint">
                YouTube reports traffic sources about two days after each day ends.{" "}
                {t().nextDataAt
                  ? `The first day should arrive around ${formatDateTime(t().nextDataAt as string)}.`
                  : "They will show once the first day of the test is over."}
              </p>
            }
          >
            <p class="hint">
              {countOf(t().daysWithData, "day")} reported
              {t().daysPending > 0
                ? `, ${t().daysPending} still to come${t().nextDataAt ? ` (next around ${formatDateTime(t().nextDataAt as string)})` : ""}`
                : ""}
              . Lifts compare views per hour with the original title's from the same source, within each
              round; they describe, the verdict above decides.
            </p>
            <For each={t().variants}>{(v) => <SourceTable variant={v} title={titleOf(v.variant)} />}</For>
          </Show>
        </section>
      )}
    </Show>
  );
}

function SourceTable(props: { variant: VariantSources; title: string }) {
  const share = (s: Source) => (props.variant.views > 0 ? s.views / props.variant.views : 0);
  return (
    <TableWrap labelledBy={`sources-${props.variant.variant}`}>
      <table data-variant={props.variant.variant}>
        <caption id={`sources-${props.variant.variant}`}>
          <span class="swatch" style={{ background: variantColor(props.variant.variant) }} />
          <strong>{variantName(props.variant.variant)}</strong> <span class="cell-title">{props.title}</span>{" "}
          — {formatNumber(props.variant.views)} views over {countOf(props.variant.days, "day")}
        </caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Views</th>
            <th scope="col">Share</th>
            <th scope="col">Minutes watched</th>
            <th scope="col">Lift (95 % interval)</th>
          </tr>
        </thead>
        <tbody>
          <Show
            when={props.variant.sources.some((s) => s.views > 0)}
            fallback={
              <tr>
                <td colSpan={5}>No reported day of this title yet.</td>
              </tr>
            }
          >
            <For each={props.variant.sources}>
              {(s) => (
                <tr>
                  <th scope="row">{s.label}</th>
                  <td>{formatNumber(s.views)}</td>
                  <td>
                    <span
                      class="share-bar"
                      aria-hidden="true"
                      style={{
                        width: `${(share(s) * 5).toFixed(2)}em`,
                        background: variantColor(props.variant.variant),
                      }}
                    />
                    {Math.round(share(s) * 100)} %
                  </td>
                  <td>{formatNumber(s.minutes)}</td>
                  <td>{liftText(props.variant.variant, s)}</td>
                </tr>
              )}
            </For>
          </Show>
        </tbody>
      </table>
    </TableWrap>
  );
}
