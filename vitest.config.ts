import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { LARGE_QUOTA_PROJECTS, workerProject } from "./test/setup/worker-project";

/**
 * Four projects:
 * - `worker`: the Worker and its Durable Objects inside workerd (vitest-pool-workers), against
 *   the Postgres that `test/setup/database.ts` starts (real when DATABASE_URL is set).
 * - `engine`: the testing engine (TestRotator, VideoPoller) the same way, with its own emulator
 *   and database, since it moves the emulator's clock.
 * - `emulator`: the Google emulator's contract tests inside workerd (its own Worker and DO).
 * - `node`: pure code (statistics) and Node-side tooling (migrations, the database proxy).
 */
export default defineConfig({
  test: {
    projects: [
      workerProject("worker", {
        include: ["test/worker/**/*.test.ts"],
        globalSetup: ["test/setup/database.ts", "test/setup/emulator.ts"],
      }),
      // The engine tests move the emulator's clock forward by hours: they get an emulator and a
      // database of their own, and their files run one after another.
      workerProject(
        "engine",
        {
          include: ["test/engine/**/*.test.ts"],
          globalSetup: ["test/setup/engine-database.ts", "test/setup/emulator.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
        },
        {
          QUOTA_PROJECTS: LARGE_QUOTA_PROJECTS,
        },
      ),
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
