import { codePoints } from "./format";

/** YouTube's limit on a title, in code points. */
export const MAX_TITLE_LENGTH = 100;

/** The key the API compares titles by: "My Title" and "my title " are the same variant. */
export function titleKey(text: string): string {
  return text.trim().normalize("NFC").toLowerCase();
}

/**
 * What is wrong with a title, in words, or null when the API would accept it: the checks of
 * `worker/title-tests/input.ts` (1–100 code points once trimmed, no `<` or `>`, one line, distinct from
 * every other title of the test — the current one included), so the creator learns before sending.
 */
export function titleProblem(text: string, others: readonly string[]): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return "Write a title.";
  if (codePoints(trimmed) > MAX_TITLE_LENGTH)
    return `Too long: YouTube allows ${MAX_TITLE_LENGTH} characters.`;
  if (/[<>]/.test(trimmed)) return "YouTube does not allow < or > in titles.";
  if (/\p{Cc}/u.test(trimmed)) return "A title must be one line.";
  if (others.some((other) => titleKey(other) === titleKey(trimmed)))
    return "Same as another title of this test.";
  return null;
}
