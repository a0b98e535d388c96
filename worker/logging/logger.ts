/** The levels a log line can carry. */
export type LogLevel = "info" | "warn" | "error";

/** Fields of one log line: plain JSON values, never a secret or a raw error (see `errorFields`). */
export type LogFields = Record<string, unknown>;

/**
 * A structured logger: one JSON line per event, carrying the fields it was made with (the request
 * id, a test id, a job), so every line of one request or one alarm can be found together.
 */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields`. */
  with(fields: LogFields): Logger;
}

/** Makes a logger writing to the Workers console (Workers Logs / `wrangler tail` read it). */
export function createLogger(base: LogFields = {}): Logger {
  const write = (level: LogLevel, event: string, fields: LogFields = {}) => {
    const line = JSON.stringify({ level, event, ...base, ...fields });
    if (level === "error") console.error(line);
    else console.log(line);
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    with: (fields) => createLogger({ ...base, ...fields }),
  };
}

/** Credentials that can end up inside an error's text: a URL's query, a header, a form body. */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /\b(refresh_token|access_token|id_token|client_secret|code_verifier|code|key|token)=[^&\s"']+/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bya29\.[A-Za-z0-9._-]+/g,
  /\b1\/\/[A-Za-z0-9._-]{10,}/g,
];

/**
 * Postgres quotes the offending input in its messages (`invalid input syntax for type uuid:
 * "<value>"`, `value "<value>" is out of range`); names of constraints and columns stay.
 */
const QUOTED_INPUT_PATTERNS: readonly RegExp[] = [/(:\s*)"[^"]*"/g, /(\bvalue\s+)"[^"]*"/gi];

/**
 * An error's text fit for a log line: a failed query's parameters (e-mails, ciphertexts — drizzle
 * appends them after `params:`) are cut off, inputs Postgres quotes back and credentials anywhere
 * else are masked.
 */
export function redactErrorText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let kept = text.split(/\s*\bparams:/)[0] as string;
  for (const pattern of QUOTED_INPUT_PATTERNS) kept = kept.replace(pattern, '$1"[redacted]"');
  for (const pattern of CREDENTIAL_PATTERNS) {
    kept = kept.replace(pattern, (match) => {
      const eq = match.indexOf("=");
      if (eq > 0) return `${match.slice(0, eq + 1)}[redacted]`;
      return match.toLowerCase().startsWith("bearer") ? "Bearer [redacted]" : "[redacted]";
    });
  }
  return kept;
}

/**
 * The loggable part of an error, the only way an error reaches a log line: its message, name,
 * causes (two levels) and stack, each through `redactErrorText`.
 */
export function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { error: "non-error thrown" };
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const rootCause = cause?.cause instanceof Error ? cause.cause : undefined;
  return {
    error: redactErrorText(err.message),
    errorName: err.name,
    cause: redactErrorText(cause?.message),
    rootCause: redactErrorText(rootCause?.message),
    stack: redactErrorText(err.stack),
  };
}
