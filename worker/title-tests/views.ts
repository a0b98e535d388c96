import { GOOGLE_DEFAULTS, type GoogleEndpointVars, googleEndpoints } from "../youtube/endpoints";
import type { TestRow, TitleVariant } from "./queries";

/**
 * A video's 320×180 thumbnail: on YouTube's image host in production; when the Worker's Google APIs
 * point elsewhere (the local emulator), on that origin, which serves YouTube's sizes as SVG.
 */
function thumbnailUrlOf(vars: GoogleEndpointVars, videoId: string): string {
  const { apis } = googleEndpoints(vars);
  const id = encodeURIComponent(videoId);
  return apis === GOOGLE_DEFAULTS.apis
    ? `https://i.ytimg.com/vi/${id}/mqdefault.jpg`
    : `${apis}/vi/${id}/mqdefault.svg`;
}

/** A test as the API shows it: its state, the live title and the variants. */
export function testView(row: TestRow, variants: readonly TitleVariant[], vars: GoogleEndpointVars = {}) {
  return {
    id: row.id,
    videoId: row.videoId,
    videoTitleOriginal: row.videoTitleOriginal,
    thumbnailUrl: thumbnailUrlOf(vars, row.videoId),
    status: row.status,
    metric: row.metric,
    intervalMinutes: row.intervalMinutes,
    autoApply: row.autoApply,
    currentVariant: row.currentVariant,
    currentTitle: variants.find((t) => t.variant === row.currentVariant)?.text ?? null,
    nextRotationAt: row.nextRotationAt,
    leaderVariant: row.leaderVariant,
    leaderPBest: row.leaderPBest,
    decision: row.decision,
    winnerVariant: row.winnerVariant,
    winnerLift: row.winnerLift,
    pValue: row.pValue,
    finalVariant: row.finalVariant,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    titles: variants.map(({ variant, text }) => ({ variant, text })),
  };
}

/** The API's shape of one test. */
export type TestView = ReturnType<typeof testView>;
