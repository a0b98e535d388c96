import type { QuotaPolicy, QuotaPriority } from "../../worker/quota/types";

/**
 * The most units work of `priority` may bring a project's day to: premium may use all of it,
 * standard stops short of the premium share, background stops short of the larger of the premium
 * share and the background reserve (by default it may not take the last 40 %).
 */
export function bandCeiling(dailyLimit: number, priority: QuotaPriority, policy: QuotaPolicy): number {
  switch (priority) {
    case "premium":
      return dailyLimit;
    case "standard":
      return Math.floor(dailyLimit * (1 - policy.premiumShare));
    case "background":
      return Math.floor(dailyLimit * (1 - Math.max(policy.premiumShare, policy.backgroundReserve)));
  }
}

/** A project's day as the band rules see it. */
export interface ProjectDay {
  dailyLimit: number;
  used: number;
  reserved: number;
  exhausted: boolean;
}

/** Units work of `priority` may still take from a project today (≤ 0 when none). */
export function bandHeadroom(day: ProjectDay, priority: QuotaPriority, policy: QuotaPolicy): number {
  if (day.exhausted) return 0;
  return bandCeiling(day.dailyLimit, priority, policy) - day.used - day.reserved;
}

/** Units left in a project's day for anyone (premium): 0 when exhausted, never negative. */
export function headroom(day: ProjectDay): number {
  if (day.exhausted) return 0;
  return Math.max(0, day.dailyLimit - day.used - day.reserved);
}

/** The warning thresholds, as shares of a project's day, with the alert each one raises. */
export const USAGE_THRESHOLDS = [
  { share: 0.8, kind: "quota.80", severity: "warning" },
  { share: 0.95, kind: "quota.95", severity: "critical" },
] as const;

/** The thresholds a project's committed units (used + reserved) have reached today. */
export function thresholdsReached(day: ProjectDay): (typeof USAGE_THRESHOLDS)[number][] {
  const committed = day.exhausted ? day.dailyLimit : day.used + day.reserved;
  return USAGE_THRESHOLDS.filter((t) => committed >= Math.ceil(day.dailyLimit * t.share));
}
