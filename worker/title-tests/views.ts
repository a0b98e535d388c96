import type { TestRow, TitleVariant } from "./queries";

/** A test as the API shows it: its state, the live title and the variants. */
export function testView(row: TestRow, variants: readonly TitleVariant[]) {
  return {
    id: row.id,
    videoId: row.videoId,
    videoTitleOriginal: row.videoTitleOriginal,
    thumbnailUrl: `https://i.ytimg.com/vi/${encodeURIComponent(row.videoId)}/mqdefault.jpg`,
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
