import { Legend, LiftChart, SlotChart } from "../components/charts";
import type { Results } from "../data/tests";
import { formatLift } from "../format";
import { metricDisplay } from "../metric-words";

/**
 * Illustrative numbers (not a real result) for the front page: how a finished test reads, drawn by
 * the same chart components as a real test's page.
 */
const titles: Results["titles"] = [
  { variant: 0, text: "I Tried Every Budget Knife So You Don't Have To" },
  { variant: 1, text: "I Tested 12 Cheap Knives — Only One Is Worth It" },
  { variant: 2, text: "Budget Kitchen Knives, Ranked Worst to Best" },
];

/** Slot rates per hour, A B C repeating, as a test rotating every four hours would record them. */
const rates = [410, 1180, 450, 395, 1260, 470, 430, 1210, 440, 420, 1300, 455];
const START = Date.UTC(2026, 2, 2, 8);
const SLOT = 4 * 3_600_000;

const series: Results["series"] = rates.map((rate, i) => ({
  slotIndex: i,
  variant: i % 3,
  block: Math.floor(i / 3),
  startedAt: new Date(START + i * SLOT).toISOString(),
  endedAt: new Date(START + (i + 1) * SLOT).toISOString(),
  viewsStart: 0,
  viewsEnd: rate * 4,
  count: rate * 4,
  exposure: 4,
  rate,
}));

/** The sample is a views test. */
const words = metricDisplay("views");

/** The winner, B: its lift and interval are drawn in the chart and said in the verdict. */
const winner = {
  variant: 1,
  count: 19_800,
  exposure: 16,
  rate: 1_238,
  lift: 1.99,
  liftLow: 1.62,
  liftHigh: 2.41,
  pBest: 1,
};

const variants: Results["analysis"]["variants"] = [
  { variant: 0, count: 6_620, exposure: 16, rate: 414, lift: 0, liftLow: 0, liftHigh: 0, pBest: 0 },
  winner,
  { variant: 2, count: 7_260, exposure: 16, rate: 454, lift: 0.1, liftLow: -0.04, liftHigh: 0.25, pBest: 0 },
];

/** The product on the front page: a sample test's charts and verdict, labelled as a sample. */
export default function LandingSample() {
  return (
    <section class="sample" aria-labelledby="sample-h">
      <h2 id="sample-h">What a test shows you</h2>
      <p class="hint">An example with illustrative numbers, drawn the way your own tests are.</p>
      <Legend titles={titles} />
      <SlotChart series={series} now={START + rates.length * SLOT} words={words} />
      <LiftChart variants={variants} words={words} />
      <p class="verdict win">
        Title B wins: about three times the views per hour of title A ({formatLift(winner.lift)}, between{" "}
        {formatLift(winner.liftLow)} and {formatLift(winner.liftHigh)}).
      </p>
    </section>
  );
}
