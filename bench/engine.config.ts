import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { LARGE_QUOTA_PROJECTS, workerProject } from "../test/setup/worker-project";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * The engine's benchmarks: the Worker, its Durable Objects, Postgres and the Google emulator, as
 * in the engine tests, with quota large enough for hundreds of concurrent tests. Run with
 * `npm run bench:quota`; figures are printed and written to bench/results/.
 */
export default defineConfig({
  root,
  test: {
    reporters: ["default", "./bench/results-reporter.ts"],
    projects: [
      workerProject(
        "bench-engine",
        {
          include: ["bench/**/*.engine-bench.ts"],
          globalSetup: ["test/setup/engine-database.ts", "test/setup/emulator.ts"],
          testTimeout: 900_000,
        },
        {
          QUOTA_PROJECTS: LARGE_QUOTA_PROJECTS,
          QUOTA_POLICY: JSON.stringify({
            userCaps: { free: 1_000_000, pro: 1_000_000, authority: 1_000_000 },
          }),
          // Boundaries coincide: a quarter of a second gathers them into full batches.
          POLL_WINDOW_MS: "250",
          // Concurrent tests per run, e.g. QUOTA_SIZES=10,200 npm run bench:quota.
          QUOTA_SIZES: process.env.QUOTA_SIZES ?? "10,200",
        },
      ),
    ],
  },
});
