import { type Accessor, createSignal, onCleanup } from "solid-js";

const [now, setNow] = createSignal(Date.now());
let subscribers = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * The current time, ticking every second while any component uses it: one timer for every
 * countdown on the page, stopped when the last one goes away.
 */
export function useNow(): Accessor<number> {
  if (subscribers++ === 0) {
    setNow(Date.now());
    timer = setInterval(() => setNow(Date.now()), 1000);
  }
  onCleanup(() => {
    if (--subscribers === 0) clearInterval(timer);
  });
  return now;
}
