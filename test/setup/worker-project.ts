import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { newKeyringSecret } from "../../worker/auth/keyring";

/**
 * A project of Worker tests inside workerd (vitest-pool-workers), against the Postgres and the
 * Google emulator that its global setups start and `provide`.
 */
/**
 * The local project `local-1` with a 1,000,000-unit day (the emulator's is as large): for the
 * engine tests and benches, which spend real title changes — the default 10,000 units (200
 * changes) would run out part-way through.
 */
export const LARGE_QUOTA_PROJECTS = JSON.stringify([
  {
    id: "local-1",
    clientId: "local-client-1",
    clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
    apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
    dailyLimit: 1_000_000,
  },
]);

export function workerProject(
  name: string,
  test: TestProjectInlineConfiguration["test"],
  bindings: Record<string, string> = {},
): TestProjectInlineConfiguration {
  return {
    extends: true,
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: "worker/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            DATABASE_URL: inject("databaseUrl"),
            DB_WS_PROXY: inject("dbWsProxy"),
            // Fresh keys for every run: nothing secret is committed, not even for tests.
            SESSION_KEYS: newKeyringSecret(),
            TOKEN_ENCRYPTION_KEYS: newKeyringSecret(),
            // The suite's requests all come from one address; the rate-limit tests set their own.
            RATE_LIMIT_PER_IP: "1000000",
            RATE_LIMIT_PER_USER: "1000000",
            // Every Google host is the emulator that test/setup/emulator.ts started.
            GOOGLE_ACCOUNTS_URL: inject("emulatorUrl"),
            GOOGLE_OAUTH2_URL: inject("emulatorUrl"),
            GOOGLE_APIS_URL: inject("emulatorUrl"),
            YOUTUBE_ANALYTICS_URL: inject("emulatorUrl"),
            GOOGLE_REPORTING_URL: inject("emulatorUrl"),
            // Mail goes to the emulator's sink; unsubscribe links are signed with a fresh keyring.
            MAIL_API_URL: inject("emulatorUrl"),
            MAIL_LINK_KEYS: newKeyringSecret(),
            STRIPE_API_URL: inject("emulatorUrl"),
            // Crashes injected between rotation steps; a short poll window keeps the tests quick.
            FAULT_INJECTION: "on",
            POLL_WINDOW_MS: "25",
            ...bindings,
          },
        },
      })),
    ],
    test: { name, ...test },
  };
}
