import { baseUrl } from "../config/base-url";

/**
 * Where Google lives. Production uses Google's hosts (the defaults); locally every base URL points
 * at the emulator's single origin. Set through the Worker's vars of the same names.
 */
export interface GoogleEndpoints {
  /** accounts.google.com: the consent page (/o/oauth2/v2/auth), and the ID tokens' issuer. */
  accounts: string;
  /** oauth2.googleapis.com: /token and /revoke. */
  oauth2: string;
  /** www.googleapis.com: /oauth2/v3/certs, /oauth2/v3/userinfo and /youtube/v3. */
  apis: string;
  /** youtubeanalytics.googleapis.com: /v2/reports. */
  analytics: string;
  /** youtubereporting.googleapis.com: the Reporting API's /v1 (bulk reports, e.g. thumbnail impressions). */
  reporting: string;
}

/** Google's real hosts. */
export const GOOGLE_DEFAULTS: GoogleEndpoints = {
  accounts: "https://accounts.google.com",
  oauth2: "https://oauth2.googleapis.com",
  apis: "https://www.googleapis.com",
  analytics: "https://youtubeanalytics.googleapis.com",
  reporting: "https://youtubereporting.googleapis.com",
};

/** The settings that override the defaults (env var names); production ignores them. */
export interface GoogleEndpointVars {
  ENVIRONMENT?: string;
  GOOGLE_ACCOUNTS_URL?: string;
  GOOGLE_OAUTH2_URL?: string;
  GOOGLE_APIS_URL?: string;
  YOUTUBE_ANALYTICS_URL?: string;
  GOOGLE_REPORTING_URL?: string;
}

/**
 * The endpoints from the Worker's vars, Google's hosts where a var is unset or empty; production
 * always talks to Google (`baseUrl`).
 */
export function googleEndpoints(vars: GoogleEndpointVars): GoogleEndpoints {
  return {
    accounts: baseUrl(vars, vars.GOOGLE_ACCOUNTS_URL, GOOGLE_DEFAULTS.accounts),
    oauth2: baseUrl(vars, vars.GOOGLE_OAUTH2_URL, GOOGLE_DEFAULTS.oauth2),
    apis: baseUrl(vars, vars.GOOGLE_APIS_URL, GOOGLE_DEFAULTS.apis),
    analytics: baseUrl(vars, vars.YOUTUBE_ANALYTICS_URL, GOOGLE_DEFAULTS.analytics),
    reporting: baseUrl(vars, vars.GOOGLE_REPORTING_URL, GOOGLE_DEFAULTS.reporting),
  };
}

/** Issuers an ID token may carry: Google uses both spellings; the emulator uses its origin. */
export function idTokenIssuers(endpoints: GoogleEndpoints): string[] {
  return endpoints.accounts === GOOGLE_DEFAULTS.accounts
    ? [GOOGLE_DEFAULTS.accounts, "accounts.google.com"]
    : [endpoints.accounts];
}
