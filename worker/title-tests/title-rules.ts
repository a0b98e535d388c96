import { DEFAULT_MIN_BLOCKS } from "../stats/analyze";

/**
 * The rules of a title test that the API enforces and the SPA checks before sending: one module,
 * free of Workers types and of zod, so the browser and the Worker can never disagree.
 */

/** Variants a test may have in total, the control included. */
export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 5;

/** YouTube's limit on a title, in code points. */
export const MAX_TITLE_LENGTH = 100;

/** The longest a test may run, from its start. */
export const MAX_TEST_MS = 30 * 24 * 3_600_000;
/** The end time a test gets when none is given, from its start. */
export const DEFAULT_TEST_MS = 14 * 24 * 3_600_000;
/** The shortest a test may run: complete blocks (every variant live), the engine's minimum. */
export const MIN_BLOCKS = DEFAULT_MIN_BLOCKS;

/** The key two titles are compared by: "My Title" and "my title " are the same variant. */
export function titleKey(text: string): string {
  return text.trim().normalize("NFC").toLowerCase();
}

/** Whether a list of titles has a duplicate, compared as `titleKey` does. */
export function hasDuplicateTitle(texts: readonly string[]): boolean {
  return new Set(texts.map(titleKey)).size !== texts.length;
}

/**
 * What is wrong with one title in words, or null when the API takes it: trimmed 1–100 code
 * points, no `<` or `>` (YouTube's rules), one line (a line break is never what a creator meant),
 * and distinct from every other title of the test, the current one included.
 */
export function titleProblem(text: string, others: readonly string[] = []): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return "Write a title.";
  if ([...trimmed].length > MAX_TITLE_LENGTH)
    return `Too long: YouTube allows ${MAX_TITLE_LENGTH} characters.`;
  if (/[<>]/.test(trimmed)) return "YouTube does not allow < or > in titles.";
  if (/\p{Cc}/u.test(trimmed)) return "A title must be one line.";
  if (others.some((other) => titleKey(other) === titleKey(trimmed)))
    return "Same as another title of this test.";
  return null;
}

/**
 * The time a test needs: `MIN_BLOCKS` complete blocks (every variant live in each), the least the
 * engine decides on. E.g. 3 variants hourly: 6 hours.
 */
export function minimumRunMs(variants: number, intervalMinutes: number): number {
  return MIN_BLOCKS * variants * intervalMinutes * 60_000;
}
