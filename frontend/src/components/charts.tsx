import { createMemo, For, Show } from "solid-js";
import type { Results } from "../data/tests";
import { formatDateTime, formatLift, formatRate, variantName } from "../format";
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
 * Views per hour of every slot over time, each bar as wide as the slot and coloured by the title
 * live in it; the open slot is outlined (its views are counted when it closes). Plain SVG,
 * stretched to the width; the labels are HTML so they stay readable on a phone.
 */
export function ViewsChart(props: { series: Results["series"]; now: number }) {
  const start = () => new Date(props.series[0]?.startedAt ?? props.now).getTime();
  const end = () => {
    const last = props.series[props.series.length - 1];
    return last?.endedAt ? new Date(last.endedAt).getTime() : props.now;
  };
  const top = () => Math.max(1, ...props.series.map((p) => p.viewsPerHour ?? 0)) * 1.1;
  const x = (iso: string | null) => {
    const span = Math.max(1, end() - start());
    const t = iso ? new Date(iso).getTime() : props.now;
    return ((t - start()) / span) * 1000;
  };
  const summary = () =>
    `Views per hour in ${props.series.length} time slots, the highest ${formatRate(top() / 1.1)} per hour.`;
  return (
    <figure class="chart" aria-label={summary()}>
      <div class="chart-area">
        <div class="y-axis" aria-hidden="true">
          <span>{formatRate(top())}</span>
          <span>0</span>
        </div>
        <svg viewBox="0 0 1000 200" preserveAspectRatio="none" aria-hidden="true" class="plot">
          <line x1="0" y1="200" x2="1000" y2="200" class="axis" vector-effect="non-scaling-stroke" />
          <For each={props.series}>
            {(p) => {
              const height = () => ((p.viewsPerHour ?? 0) / top()) * 200;
              const open = () => p.viewsPerHour === null;
              return (
                <rect
                  x={x(p.startedAt)}
                  width={Math.max(2, x(p.endedAt) - x(p.startedAt) - 2)}
                  y={open() ? 0 : 200 - height()}
                  height={open() ? 200 : Math.max(height(), 1)}
                  fill={open() ? "none" : variantColor(p.variant)}
                  stroke={open() ? variantColor(p.variant) : "none"}
                  stroke-dasharray={open() ? "4 3" : undefined}
                  vector-effect="non-scaling-stroke"
                >
                  <title>
                    {`${variantName(p.variant)}: ${open() ? "live now" : `${formatRate(p.viewsPerHour)} views/h`}`}
                  </title>
                </rect>
              );
            }}
          </For>
        </svg>
      </div>
      <figcaption class="x-axis">
        <span>{formatDateTime(new Date(start()).toISOString())}</span>
        <span>views per hour, by the title live</span>
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
export function LiftChart(props: { variants: Results["analysis"]["variants"] }) {
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
        <span>Lift vs. A with its 95 % interval; grey band: within ±5 %, the same</span>
      </figcaption>
    </figure>
  );
}
