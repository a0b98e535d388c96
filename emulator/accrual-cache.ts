import { HOUR_MS } from "./pacific-time";
import { type Accrued, accrue, type CtrOverride, type SimVideo, type TitleSpan } from "./simulation";

/**
 * Checkpoints of each video's accrued counts at a past hour boundary, so a read integrates only the
 * hours since the last read instead of the video's whole life (a month of simulated time is 720
 * hours per video per read otherwise).
 *
 * A checkpoint never goes stale: completed hours cannot change, because new titles take effect
 * after "now" and new CTRs from the next hour on. Only `reset` (which may reuse ids) clears them.
 */
const checkpoints = new Map<string, { until: number; accrued: Accrued }>();

/** Forgets every checkpoint. */
export function clearAccrualCache(): void {
  checkpoints.clear();
}

/** Views, impressions and watch time of a video from its accrual start to `atSim`. */
export function accruedSinceCreation(
  videoId: string,
  video: SimVideo,
  titles: readonly TitleSpan[],
  overrides: readonly CtrOverride[],
  atSim: number,
): Accrued {
  const boundary = Math.floor(atSim / HOUR_MS) * HOUR_MS;
  const known = checkpoints.get(videoId);
  let base: Accrued;
  if (known && known.until <= boundary) {
    const more = accrue(video, titles, overrides, known.until, boundary);
    base = add(known.accrued, more);
  } else {
    base = accrue(video, titles, overrides, video.createdAt, boundary);
  }
  if (!known || known.until < boundary) checkpoints.set(videoId, { until: boundary, accrued: base });
  return add(base, accrue(video, titles, overrides, boundary, atSim));
}

function add(a: Accrued, b: Accrued): Accrued {
  return {
    views: a.views + b.views,
    impressions: a.impressions + b.impressions,
    watchSeconds: a.watchSeconds + b.watchSeconds,
  };
}
