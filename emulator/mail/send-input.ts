import type { Reply } from "../reply";
import { invalidField, missingField } from "./resend-errors";

/** A `POST /emails` body the sink accepted, in Resend's field names. */
export interface SendInput {
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
}

/** `email@example.com` or `Name <email@example.com>`, as Resend accepts them. */
const ADDRESS = /^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/;
/** Resend takes at most 50 recipients per mail. */
const MAX_TO = 50;

const addressError = (field: string) =>
  invalidField(
    `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
  );

/** Checks a send body as Resend does: the checked input, or the error Resend would answer. */
export function checkSendInput(body: unknown): SendInput | Reply {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return invalidField("The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  for (const field of ["from", "to", "subject"]) {
    if (b[field] === undefined || b[field] === null || b[field] === "") return missingField(field);
  }
  if (typeof b.from !== "string" || !ADDRESS.test(b.from)) return addressError("from");
  const to = typeof b.to === "string" ? [b.to] : b.to;
  if (!Array.isArray(to) || to.length === 0 || to.some((a) => typeof a !== "string" || !ADDRESS.test(a)))
    return addressError("to");
  if (to.length > MAX_TO) return invalidField(`The \`to\` field must have at most ${MAX_TO} recipients.`);
  if (typeof b.subject !== "string") return invalidField("The `subject` field must be a string.");
  const text = b.text ?? null;
  const html = b.html ?? null;
  if (text !== null && typeof text !== "string") return invalidField("The `text` field must be a string.");
  if (html !== null && typeof html !== "string") return invalidField("The `html` field must be a string.");
  if (text === null && html === null) return missingField("html` or `text");
  const headers = b.headers ?? {};
  if (
    typeof headers !== "object" ||
    headers === null ||
    Array.isArray(headers) ||
    Object.values(headers).some((v) => typeof v !== "string")
  )
    return invalidField("The `headers` field must be an object of strings.");
  return {
    from: b.from,
    to: to as string[],
    subject: b.subject,
    text: text as string | null,
    html: html as string | null,
    headers: headers as Record<string, string>,
  };
}
