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

/**
 * One HTTP exchange with Google. Network failures and timeouts become `transient` YouTubeErrors;
 * any HTTP status is returned for the caller to classify.
 */
export async function send(deps: TransportDeps, url: string, init: RequestInit = {}): Promise<GoogleAnswer> {
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
  let body: unknown = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch (err) {
    if (res.ok)
      throw new YouTubeError("transient", "unreadable response from Google", {
        status: res.status,
        cause: err,
      });
  }
  return { status: res.status, body, headers: res.headers };
}
