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

/**
 * The loggable part of an error. A failed query's message carries its parameters (e-mails,
 * ciphertexts): only the statement is kept, in the message and in the stack.
 */
export function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { error: "non-error thrown" };
  const withoutParams = (text: string | undefined) => text?.split("\nparams:")[0];
  return {
    error: withoutParams(err.message),
    errorName: err.name,
    cause: err.cause instanceof Error ? withoutParams(err.cause.message) : undefined,
    stack: withoutParams(err.stack),
  };
}
