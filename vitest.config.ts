import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { newKeyringSecret } from "./worker/auth/keyring";

/**
 * Four projects:
 * - `worker`: the Worker and its Durable Objects inside workerd (vitest-pool-workers), against
 *   the Postgres that `test/setup/database.ts` starts (real when DATABASE_URL is set).
 * - `engine`: the testing engine (TestRotator, VideoPoller) the same way, with its own emulator
 *   and database, since it moves the emulator's clock.
 * - `emulator`: the Google emulator's contract tests inside workerd (its own Worker and DO).
 * - `node`: pure code (statistics) and Node-side tooling (migrations, the database proxy).
 */
/**
 * A project of Worker tests inside workerd (vitest-pool-workers), against the Postgres and the
 * Google emulator that its global setups start and `provide`.
 */
function workerProject(
  name: string,
  test: TestProjectInlineConfiguration["test"],
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
            // Crashes injected between rotation steps; a short poll window keeps the tests quick.
            FAULT_INJECTION: "on",
            POLL_WINDOW_MS: "25",
          },
        },
      })),
    ],
    test: { name, ...test },
  };
}

export default defineConfig({
  test: {
    projects: [
      workerProject("worker", {
        include: ["test/worker/**/*.test.ts"],
        globalSetup: ["test/setup/database.ts", "test/setup/emulator.ts"],
      }),
      // The engine tests move the emulator's clock forward by hours: they get an emulator and a
      // database of their own, and their files run one after another.
      workerProject("engine", {
        include: ["test/engine/**/*.test.ts"],
        globalSetup: ["test/setup/engine-database.ts", "test/setup/emulator.ts"],
        fileParallelism: false,
        testTimeout: 120_000,
      }),
      {
        // The Google emulator's own contract tests, inside workerd against its Worker (SELF).
        extends: true,
        plugins: [
          cloudflareTest(() => ({
            main: "emulator/index.ts",
            wrangler: { configPath: "./emulator/wrangler.toml" },
          })),
        ],
        test: { name: "emulator", include: ["test/emulator/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
    ],
  },
});
