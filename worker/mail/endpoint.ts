import { baseUrl } from "../config/base-url";

/** Resend's API, where production always sends. */
export const RESEND_API_URL = "https://api.resend.com";

/** The sender when `MAIL_FROM` is unset. */
export const DEFAULT_MAIL_FROM = "TitleTesterPro <notifications@titletesterpro.com>";

/** What the mail adapter reads from the environment. */
export interface MailEnv {
  ENVIRONMENT?: string;
  /** The provider's base URL; locally the emulator's mail sink. Ignored in production. */
  MAIL_API_URL?: string;
  /** The provider's API key (a secret in production). */
  MAIL_API_KEY?: string;
  MAIL_FROM?: string;
}

/** The provider's base URL: Resend, or locally the emulator's sink (never in production). */
export function mailApiUrl(env: MailEnv): string {
  return baseUrl(env, env.MAIL_API_URL, RESEND_API_URL);
}
