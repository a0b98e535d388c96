/**
 * A provider's base URL: the override a local setup gives (the emulator), else the provider's
 * own, without a trailing slash. Production always gets the provider's own: a leftover override
 * there would hand users' codes, tokens, addresses or payments to whatever it pointed at.
 */
export function baseUrl(
  vars: { ENVIRONMENT?: string },
  override: string | undefined,
  provider: string,
): string {
  const url = vars.ENVIRONMENT === "production" ? provider : override?.trim() || provider;
  return url.replace(/\/+$/, "");
}
