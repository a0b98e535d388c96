import { YouTubeError } from "./errors";

/** How the client reaches the network; injectable for tests. */
export interface TransportDeps {
  fetch: typeof fetch;
  /** Per-attempt timeout, ms. */
  timeoutMs: number;
}

/** A Google answer: status, parsed JSON (or null), headers. */
export interface GoogleAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A Google answer with its body as sent (a report's CSV, or JSON still to parse). */
export interface GoogleTextAnswer {
  status: number;
  text: string;
  headers: Headers;
}

const unreadable = (status: number, cause: unknown) =>
  new YouTubeError("transient", "unreadable response from Google", { status, cause });

/**
 * One HTTP exchange with Google, the body as text. Network failures, timeouts and a success whose
 * body cannot be read become `transient` YouTubeErrors; any HTTP status is returned for the caller
 * to classify (an unreadable error body reads as empty).
 */
export async function sendText(
  deps: TransportDeps,
  url: string,
  init: RequestInit = {},
): Promise<GoogleTextAnswer> {
  let res: Response;
  try {
    res = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new YouTubeError(
      "transient",
      timedOut ? `timed out after ${deps.timeoutMs} ms` : `network error: ${String(err)}`,
      { cause: err },
    );
  }
  let text = "";
  try {
    text = await res.text();
  } catch (err) {
    if (res.ok) throw unreadable(res.status, err);
  }
  return { status: res.status, text, headers: res.headers };
}

/** An answer's JSON body, or null when empty; a success that is not JSON is `transient`. */
export function jsonBody(answer: GoogleTextAnswer): unknown {
  try {
    return answer.text ? JSON.parse(answer.text) : null;
  } catch (err) {
    if (answer.status >= 200 && answer.status < 300) throw unreadable(answer.status, err);
    return null;
  }
}

/** One HTTP exchange with Google whose answer is JSON (see `sendText`). */
export async function send(deps: TransportDeps, url: string, init: RequestInit = {}): Promise<GoogleAnswer> {
  const answer = await sendText(deps, url, init);
  return { status: answer.status, body: jsonBody(answer), headers: answer.headers };
}
