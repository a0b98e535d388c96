import { revalidate } from "@solidjs/router";
import { onCleanup } from "solid-js";

/**
 * Refetches the given queries every `everyMs` while the page is visible (and `active()` holds),
 * for pages that show a test moving on its own (rotations, views). Cheap: unchanged answers are
 * 304s thanks to ETags.
 */
export function pollWhileVisible(
  keys: () => string | string[],
  everyMs: number,
  active: () => boolean = () => true,
): void {
  const timer = setInterval(() => {
    if (document.visibilityState === "visible" && active()) void revalidate(keys(), true);
  }, everyMs);
  onCleanup(() => clearInterval(timer));
}
