import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Three projects:
 * - `worker`: the Worker and its Durable Objects inside workerd (vitest-pool-workers), against
 *   the Postgres that `test/setup/database.ts` starts (real when DATABASE_URL is set).
 * - `node`: pure code (statistics) and Node-side tooling (migrations, the database proxy).
 */
export default defineConfig({
  test: {
    globalSetup: ["test/setup/database.ts"],
    projects: [
      {
        extends: true,
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "worker/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: inject("databaseUrl"),
                DB_WS_PROXY: inject("dbWsProxy"),
              },
            },
          })),
        ],
        test: { name: "worker", include: ["test/worker/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
    ],
  },
});
