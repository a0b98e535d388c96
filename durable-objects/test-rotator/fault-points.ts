import type { RotatorStore } from "./store";

/** The points between steps where a test may inject a crash (see `TestRotator.injectCrash`). */
export const crashPoints = [
  "after-poll",
  "after-intent",
  "after-update",
  "after-commit",
  "before-copy",
  "after-copy",
] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** A crash injected by a test: it escapes every handler, as an evicted isolate would. */
export class InjectedCrash extends Error {}

/**
 * The rotator's fault points: a test arms one, and the next alarm to pass it throws. Inert (and
 * refused) unless FAULT_INJECTION is "on" outside production: production ignores it even if set.
 */
export class FaultPoints {
  constructor(
    private readonly env: Pick<Env, "FAULT_INJECTION" | "ENVIRONMENT">,
    private readonly store: RotatorStore,
  ) {}

  private get enabled(): boolean {
    return this.env.FAULT_INJECTION === "on" && this.env.ENVIRONMENT !== "production";
  }

  /** Makes the next alarm crash at `point` once. */
  inject(point: CrashPoint): void {
    if (!this.enabled) throw new Error("fault injection is off");
    this.store.armFault(point);
  }

  /** Crashes here if a test armed `point`. */
  async checkpoint(point: CrashPoint): Promise<void> {
    if (!this.enabled) return;
    if (this.store.takeFault(point)) {
      this.store.journal("crash", { point });
      throw new InjectedCrash(`injected crash ${point}`);
    }
  }
}
