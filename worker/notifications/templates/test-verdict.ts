import { type Metric, metricWords } from "../../title-tests/metric-words";
import type { MailContent } from "./layout";

/** What a finished test's mail needs to know. */
export interface VerdictFacts {
  videoTitle: string;
  metric: Metric;
  decision: "winner" | "same" | "inconclusive";
  winnerTitle: string | null;
  winnerLift: number | null;
  /** The winner is live on the video now. */
  applied: boolean;
  autoApply: boolean;
  /** What the test ruled out, in the results page's words (worker/stats/verdict.ts). */
  knows: string;
  testUrl: string;
}

const pct = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(Math.round(100 * x))} %`;

/** A test found its winner: which title, by how much, and whether it is live. */
export function winnerMail(f: VerdictFacts): MailContent {
  const lift =
    f.winnerLift === null ? "" : ` (${pct(f.winnerLift)} ${metricWords[f.metric].measure} over the original)`;
  const live = f.applied
    ? "It is live on your video now."
    : f.autoApply
      ? "It is not live: the video keeps the title it had (yours, if you changed it meanwhile). You can apply the winner from the test's page."
      : "Auto-apply is off, so your original title is back. You can apply the winner from the test's page.";
  return {
    subject: `Your title test found its winner: "${f.winnerTitle}"`,
    paragraphs: [`Your title test on "${f.videoTitle}" found its winner: "${f.winnerTitle}"${lift}.`, live],
    action: { label: "See the results", url: f.testUrl },
  };
}

/** A test ended without a winner: what it ruled out, and which title stays. */
export function inconclusiveMail(f: VerdictFacts): MailContent {
  const outcome =
    f.decision === "same"
      ? `Your title test on "${f.videoTitle}" ended: the titles perform alike.`
      : `Your title test on "${f.videoTitle}" ended without a winner.`;
  return {
    subject: `Your title test on "${f.videoTitle}" ended without a winner`,
    paragraphs: [outcome, f.knows, "Your original title is live again."],
    action: { label: "See the results", url: f.testUrl },
  };
}
