import type { TestStatus } from "../data/tests";
import { statusWords } from "../test-words";

/** A test's status as a small coloured label (colour only repeats what the words say). */
export default function StatusBadge(props: { status: TestStatus }) {
  return <span class={`badge badge-${props.status}`}>{statusWords[props.status]}</span>;
}
