/**
 * "How we decide", for creators: the engine's method in plain words (the paragraph of the same
 * name in docs/STATISTICS.md), folded away until asked for; `noisy` names what the test measures
 * ("your video's views are").
 */
export default function HowWeDecide(props: { noisy: string }) {
  return (
    <details class="how-we-decide">
      <summary>How we decide</summary>
      <p>
        We never show your titles side by side: we switch the live title on a schedule, in rounds where every
        title is live once, in a random order. Traffic changes all day and all week, so each title is compared
        only with the titles live in the same round, around the same time.
      </p>
      <p>
        From how much those round-by-round comparisons wobble, we measure how noisy {props.noisy} — nothing is
        assumed. A title is declared the winner only when it beats every other title by more than that noise
        could explain, at a level chosen so that you may check the results as often as you like: if your
        titles were in fact equally good, we would name a winner in fewer than 1 test in 20.
      </p>
      <p>
        If no title wins by the end, we tell you which differences the test ruled out and how big a difference
        it could have found.
      </p>
    </details>
  );
}
