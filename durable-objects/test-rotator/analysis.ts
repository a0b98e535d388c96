import type { Analysis } from "../../worker/stats/analyze";
import { analyzeTest } from "../../worker/title-tests/analysis";
import type { SlotRow } from "./mirror";
import type { State } from "./state";
import type { RotatorStore } from "./store";

/** A stored slot as the analysis reads it. */
export function toRecord(s: SlotRow) {
  return { ...s, startedAt: new Date(s.startedAt), endedAt: s.endedAt === null ? null : new Date(s.endedAt) };
}

/** Runs the analysis of the stored slots (with `provisional` in place of its slot) and records it on the test. */
export function analyse(
  store: RotatorStore,
  state: State,
  provisional: SlotRow | null,
  at: number,
): Analysis {
  const rows = store
    .slotRows()
    .map((s) => (provisional && s.slotIndex === provisional.slotIndex ? provisional : s));
  const analysis = analyzeTest(
    state.metric,
    state.titles.length,
    rows.map(toRecord),
    store.days(),
    at >= state.endsAt,
  );
  const leader = [...analysis.variants].sort((a, b) => b.pBest - a.pBest)[0];
  const winner = analysis.winner === null ? undefined : analysis.variants[analysis.winner];
  Object.assign(state.record, {
    decision: analysis.decision,
    winnerVariant: analysis.winner,
    winnerLift: winner?.lift ?? null,
    pValue: analysis.pValue,
    leaderVariant: leader?.variant ?? null,
    leaderPBest: leader?.pBest ?? null,
  });
  return analysis;
}
