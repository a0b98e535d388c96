import { json, type Reply } from "../reply";

/** Stripe's error envelope: `{ error: { type, message, param?, code? } }` with Stripe's status. */
export function stripeError(
  status: number,
  message: string,
  extra: { param?: string; code?: string; type?: string } = {},
): Reply {
  const { type = "invalid_request_error", ...rest } = extra;
  return json(status, { error: { type, message, ...rest } });
}

/** A missing or unknown object: 404 `resource_missing`, Stripe's wording. */
export function noSuch(kind: string, id: string, param = "id"): Reply {
  return stripeError(404, `No such ${kind}: '${id}'`, { param, code: "resource_missing" });
}

/** A required parameter left out: 400 `parameter_missing`. */
export function missing(param: string): Reply {
  return stripeError(400, `Missing required param: ${param}.`, { param, code: "parameter_missing" });
}

/** A parameter with a value Stripe refuses: 400 `parameter_invalid_…`. */
export function invalidParam(param: string, message: string): Reply {
  return stripeError(400, message, { param, code: "parameter_invalid_string" });
}
