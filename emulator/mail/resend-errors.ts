import { json, type Reply } from "../reply";

/**
 * Resend's error envelope, as its API sends it: `{ "statusCode", "name", "message" }`, where
 * `name` is the machine-readable code (`missing_api_key`, `validation_error`…).
 */
export function resendError(statusCode: number, name: string, message: string): Reply {
  return json(statusCode, { statusCode, name, message });
}

export const missingApiKey = () =>
  resendError(
    401,
    "missing_api_key",
    "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY",
  );

export const invalidApiKey = () => resendError(403, "invalid_api_key", "API key is invalid");

export const missingField = (field: string) =>
  resendError(422, "missing_required_field", `Missing \`${field}\` field.`);

export const invalidField = (message: string) => resendError(422, "validation_error", message);

export const invalidIdempotencyKey = () =>
  resendError(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");

export const idempotencyMismatch = () =>
  resendError(
    409,
    "invalid_idempotent_request",
    "Same idempotency key used with a different request payload.",
  );
