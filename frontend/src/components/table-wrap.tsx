import type { JSX } from "solid-js";

/**
 * A table that scrolls sideways when it is wider than the screen (a phone): focusable, so a
 * keyboard can scroll it too, and named by `labelledBy` (a heading or the table's caption).
 */
export default function TableWrap(props: { labelledBy: string; children: JSX.Element }) {
  return (
    <section class="table-wrap" tabindex="0" aria-labelledby={props.labelledBy}>
      {props.children}
    </section>
  );
}
