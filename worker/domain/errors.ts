/**
 * The errors the domain and the data layer throw: a small closed set that says what went wrong in
 * the domain's words. The HTTP layer (`worker/errors.ts`) turns each into the API's code and status;
 * nothing here knows about HTTP.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: "not_found" | "conflict" | "invalid" | "unavailable";
}

/** What was asked for does not exist, or is not the caller's (ids reveal nothing). */
export class NotFound extends DomainError {
  readonly kind = "not_found";
  override readonly name = "NotFound";
}

/** The current state does not allow the change (a status, a limit, a concurrent change). */
export class Conflict extends DomainError {
  readonly kind = "conflict";
  override readonly name = "Conflict";
}

/** One input breaks a rule; `path` names the field, as the request validator does. */
export class Invalid extends DomainError {
  readonly kind = "invalid";
  override readonly name = "Invalid";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A part the domain depends on (a Durable Object) did not answer; trying again later may work. */
export class Unavailable extends DomainError {
  readonly kind = "unavailable";
  override readonly name = "Unavailable";
}
