import { createMemo, For, Show } from "solid-js";
import type { Results } from "../data/tests";
import { formatDateTime, formatLift, variantName } from "../format";
import type { MetricDisplay } from "../metric-words";
import { liftAxis } from "./lift-axis";

/** One colour per variant, told apart also without colour vision (the legend and table name them). */
const palette = ["#5b6270", "#1a56db", "#d97706", "#059669", "#9333ea"];

/** The colour of a variant in every chart and legend. */
export function variantColor(variant: number): string {
  return palette[variant % palette.length] ?? "#000";
}

/** Swatches naming each variant's colour. */
export function Legend(props: { titles: Results["titles"] }) {
  return (
    <ul class="legend">
      <For each={props.titles}>
        {(t) => (
          <li>
            <span class="swatch" style={{ background: variantColor(t.variant) }} />
            <strong>{variantName(t.variant)}</strong> {t.text}
          </li>
        )}
      </For>
    </ul>
  );
}

/**
 * The test's metric in every slot over time (views per hour, a day's CTR, minutes watched per
 * hour), each bar as wide as the slot and coloured by the title live in it; the open slot, and a
 * closed one whose figures YouTube has not sent yet, are outlined. Plain SVG, stretched to the
 * width; the labels are HTML so they stay readable on a phone.
 */
export function SlotChart(props: { series: Results["series"]; now: number; words: MetricDisplay }) {
  const start = () => new Date(props.series[0]?.startedAt ?? props.now).getTime();
  const end = () => {
    const last = props.series[props.series.length - 1];
    return last?.endedAt ? new Date(last.endedAt).getTime() : props.now;
  };
  const highest = () => Math.max(0, ...props.series.map((p) => p.rate ?? 0));
  // A little headroom; never 0, so an empty chart still has an axis.
  const top = () => (highest() > 0 ? highest() * 1.1 : 1);
  const x = (iso: string | null) => {
    const span = Math.max(1, end() - start());
    const t = iso ? new Date(iso).getTime() : props.now;
    return ((t - start()) / span) * 1000;
  };
  const withUnit = (rate: number | null) => {
    const figure = props.words.formatRate(rate);
    return props.words.rateUnit ? `${figure} ${props.words.rateUnit}` : figure;
  };
  const summary = () =>
    `${props.words.chartTitle} in ${props.series.length} time slots, the highest ${withUnit(highest())}.`;
  return (
    <figure class="chart" aria-label={summary()}>
      <div class="chart-area">
        <div class="y-axis" aria-hidden="true">
          <span>{props.words.formatRate(top())}</span>
          <span>0</span>
        </div>
        <svg viewBox="0 0 1000 200" preserveAspectRatio="none" aria-hidden="true" class="plot">
          <line x1="0" y1="200" x2="1000" y2="200" class="axis" vector-effect="non-scaling-stroke" />
          <For each={props.series}>
            {(p) => {
              const height = () => ((p.rate ?? 0) / top()) * 200;
              const unknown = () => p.rate === null;
              return (
                <rect
                  x={x(p.startedAt)}
                  width={Math.max(2, x(p.endedAt) - x(p.startedAt) - 2)}
                  y={unknown() ? 0 : 200 - height()}
                  height={unknown() ? 200 : Math.max(height(), 1)}
                  fill={unknown() ? "none" : variantColor(p.variant)}
                  stroke={unknown() ? variantColor(p.variant) : "none"}
                  stroke-dasharray={unknown() ? "4 3" : undefined}
                  vector-effect="non-scaling-stroke"
                >
                  <title>
                    {`${variantName(p.variant)}: ${
                      p.endedAt === null ? "live now" : unknown() ? props.words.pending : withUnit(p.rate)
                    }`}
                  </title>
                </rect>
              );
            }}
          </For>
        </svg>
      </div>
      <figcaption class="x-axis">
        <span>{formatDateTime(new Date(start()).toISOString())}</span>
        <span>{props.words.chartAxis}</span>
        <span>{formatDateTime(new Date(end()).toISOString())}</span>
      </figcaption>
    </figure>
  );
}

/**
 * Each variant's lift over the control with its 95 % interval, on one shared axis (`liftAxis`:
 * it always holds every interval) with round ticks, the zero line and the ±5 % band within which
 * titles count as the same. The tick labels sit at the same percentages as the grid lines of the
 * tracks, so bars, bands and labels line up on every width.
 */
export function LiftChart(props: { variants: Results["analysis"]["variants"]; words: MetricDisplay }) {
  // Once per change of the variants, not once per line, band and label that asks for it.
  const axis = createMemo(() => liftAxis(props.variants));
  /** A lift's place across the track, 0–100; an unknown or infinite end runs to `fallback`. */
  const x = (lift: number | null, fallback: number) => {
    const { lo, hi } = axis();
    const value = lift === null || !Number.isFinite(lift) ? fallback : lift;
    return ((Math.min(hi, Math.max(lo, value)) - lo) / (hi - lo)) * 100;
  };
  return (
    <figure class="chart lift">
      <ul>
        <For each={props.variants}>
          {(v) => (
            <li>
              <span class="lift-label">
                <strong>{variantName(v.variant)}</strong>{" "}
                {v.variant === 0
                  ? "control"
                  : `${formatLift(v.lift)} (${formatLift(v.liftLow)} to ${formatLift(v.liftHigh)})`}
              </span>
              <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" class="track">
                <rect x={x(-0.05, 0)} width={x(0.05, 0) - x(-0.05, 0)} y="0" height="10" class="same-band" />
                <For each={axis().ticks}>
                  {(t) => (
                    <line
                      x1={x(t, 0)}
                      x2={x(t, 0)}
                      y1="0"
                      y2="10"
                      class={t === 0 ? "axis" : "grid-line"}
                      vector-effect="non-scaling-stroke"
                    />
                  )}
                </For>
                <Show when={v.variant !== 0}>
                  <line
                    x1={x(v.liftLow, axis().lo)}
                    x2={x(v.liftHigh, axis().hi)}
                    y1="5"
                    y2="5"
                    stroke={variantColor(v.variant)}
                    stroke-width="3"
                    vector-effect="non-scaling-stroke"
                  />
                  <Show when={v.lift !== null && Number.isFinite(v.lift)}>
                    <line
                      x1={x(v.lift, 0)}
                      x2={x(v.lift, 0)}
                      y1="1"
                      y2="9"
                      stroke={variantColor(v.variant)}
                      stroke-width="5"
                      vector-effect="non-scaling-stroke"
                    />
                  </Show>
                </Show>
              </svg>
            </li>
          )}
        </For>
      </ul>
      <div class="ticks" aria-hidden="true">
        <For each={axis().ticks}>
          {(t, i) => (
            <span
              style={{ left: `${x(t, 0)}%` }}
              classList={{ first: i() === 0, last: i() === axis().ticks.length - 1 }}
            >
              {formatLift(t)}
            </span>
          )}
        </For>
      </div>
      <figcaption class="x-axis">
        <span>
          Lift in {props.words.measure} vs. A with its 95 % interval; grey band: within ±5 %, the same
        </span>
      </figcaption>
    </figure>
  );
}
