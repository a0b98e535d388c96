import { describe, expect, it } from "vitest";
import { stripeHost } from "../../worker/billing/config";
import { mailApiUrl } from "../../worker/mail/endpoint";
import { googleEndpoints } from "../../worker/youtube/endpoints";

/** Every provider's override points at the emulator locally and is ignored in production. */
describe("providers' base URLs", () => {
  const local = "http://127.0.0.1:8788/";
  const overrides = { MAIL_API_URL: local, STRIPE_API_URL: local, GOOGLE_APIS_URL: local };

  it("follow the override outside production, without a trailing slash", () => {
    const env = { ENVIRONMENT: "development", ...overrides };
    expect(mailApiUrl(env)).toBe("http://127.0.0.1:8788");
    expect(stripeHost(env)).toEqual({ host: "127.0.0.1", port: 8788, protocol: "http" });
    expect(googleEndpoints(env).apis).toBe("http://127.0.0.1:8788");
  });

  it("are the providers' own in production, whatever is set, and where nothing is set", () => {
    for (const env of [{ ENVIRONMENT: "production", ...overrides }, { ENVIRONMENT: "development" }]) {
      expect(mailApiUrl(env)).toBe("https://api.resend.com");
      expect(stripeHost(env)).toEqual({ host: "api.stripe.com", port: 443, protocol: "https" });
      expect(googleEndpoints(env).apis).toBe("https://www.googleapis.com");
    }
  });
});
