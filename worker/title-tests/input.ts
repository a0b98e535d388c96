import { z } from "zod";
import { testStatuses } from "../../schema";
import { hasDuplicateTitle, MAX_VARIANTS, MIN_VARIANTS, titleProblem } from "./title-rules";

/** How far in the past a start time may lie and still mean "now" (clock skew of the browser). */
export const START_SKEW_MS = 5 * 60_000;

/**
 * A title as YouTube accepts it: trimmed, 1–100 code points, no `<` or `>`; and on one line (no
 * control characters), since a line break in a title is never what a creator meant.
 */
export const titleText = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const problem = titleProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A YouTube video id (11 base64url characters in practice; a little slack costs nothing). */
export const videoId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, "Not a YouTube video id");

/** An ISO 8601 date-time with an offset ("2026-12-01T10:00:00Z"), as a Date. */
const isoDate = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/** `:id` of every test route: a malformed id is a 400 before any query, never a 500. */
export const testIdParam = z.object({ id: z.uuid("Not a test id") });

/** `POST /api/tests`. Checks that need the video or the plan (ownership, intervals) come later. */
export const createTestBody = z
  .object({
    videoId,
    /** The challengers (or, with `includeCurrentTitle: false`, every variant in order). */
    titles: z.array(titleText).min(1).max(MAX_VARIANTS),
    /** The video's live title becomes variant 0, the control (default). */
    includeCurrentTitle: z.boolean().default(true),
    intervalMinutes: z.number().int().positive(),
    metric: z.enum(["views", "ctr", "watch_time"]).default("views"),
    startAt: isoDate.optional(),
    endAt: isoDate.optional(),
    autoApply: z.boolean().default(true),
    draft: z.boolean().default(false),
  })
  .strict()
  .superRefine((body, ctx) => {
    const variants = body.titles.length + (body.includeCurrentTitle ? 1 : 0);
    if (variants < MIN_VARIANTS || variants > MAX_VARIANTS) {
      ctx.addIssue({
        code: "custom",
        path: ["titles"],
        message: `A test has ${MIN_VARIANTS}–${MAX_VARIANTS} variants in total (the current title counts when included); this one would have ${variants}`,
      });
    }
    if (hasDuplicateTitle(body.titles)) {
      ctx.addIssue({ code: "custom", path: ["titles"], message: "Two titles are the same" });
    }
    if (body.metric !== "views" && body.intervalMinutes !== 1440) {
      ctx.addIssue({
        code: "custom",
        path: ["intervalMinutes"],
        message:
          "CTR and watch time come from YouTube Analytics by day: they need 24-hour slots (1440 minutes)",
      });
    }
  });
export type CreateTestBody = z.infer<typeof createTestBody>;

/** `PATCH /api/tests/:id`: at least one field. */
export const patchTestBody = z
  .object({
    titles: z
      .array(
        z
          .object({
            variant: z
              .number()
              .int()
              .min(0)
              .max(MAX_VARIANTS - 1),
            text: titleText,
          })
          .strict(),
      )
      .min(1)
      .max(MAX_VARIANTS)
      .refine((list) => new Set(list.map((t) => t.variant)).size === list.length, "A variant is named twice")
      .optional(),
    endAt: isoDate.optional(),
    autoApply: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), "Nothing to change");
export type PatchTestBody = z.infer<typeof patchTestBody>;

/** `POST /api/tests/:id/apply-winner`: a variant to leave live, or the analysis' winner. */
export const applyWinnerBody = z
  .object({
    variant: z
      .number()
      .int()
      .min(0)
      .max(MAX_VARIANTS - 1)
      .optional(),
  })
  .strict();

/** `GET /api/tests?status=running,paused`: statuses to list (all when absent), newest first. */
export const listTestsQuery = z.object({
  status: z
    .string()
    .transform((text) => text.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(testStatuses)).min(1))
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
