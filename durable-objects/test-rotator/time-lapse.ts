/**
 * Whether the local time-lapse is on: a CTR test's due step (and its owner's reach fetch) run at
 * once on request (`/api/dev/*`, `TestRotator.runDueStep`), so `npm run demo:ctr` shows weeks of
 * daily slots in minutes. "on" only in the local top-level vars of wrangler.toml; production pins
 * it "off" and ignores it even if set.
 */
export function timeLapseEnabled(env: Pick<Env, "DEV_TIME_LAPSE" | "ENVIRONMENT">): boolean {
  return env.DEV_TIME_LAPSE === "on" && env.ENVIRONMENT !== "production";
}
