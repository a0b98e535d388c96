import type { QuotaPriority } from "../quota/types";

/** The plans a creator can be on. */
export const planNames = ["free", "pro", "authority"] as const;
export type Plan = (typeof planNames)[number];

/** What a plan allows; the API enforces these, the UI only shows them. */
export interface PlanLimits {
  /** Tests that may be live (scheduled, running or paused) at once; `null` is unlimited. */
  activeTests: number | null;
  /** The shortest rotation interval, in minutes. */
  minIntervalMinutes: number;
  /** The QuotaLedger band the plan's rotations are granted from. */
  quotaPriority: QuotaPriority;
  /** Monthly price in US dollars. */
  priceUsd: number;
}

/** Every plan's limits. */
export const plans: Record<Plan, PlanLimits> = {
  free: { activeTests: 1, minIntervalMinutes: 240, quotaPriority: "standard", priceUsd: 0 },
  pro: { activeTests: 10, minIntervalMinutes: 60, quotaPriority: "standard", priceUsd: 29 },
  authority: { activeTests: null, minIntervalMinutes: 15, quotaPriority: "premium", priceUsd: 99 },
};
