import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Benchmarks inside workerd, with the same Worker and Durable Objects as the `worker` tests (no
 * Postgres: the ledger does not touch it). Run with `npm run bench:ledger`; the figures are printed
 * and written to bench/results/ by the results reporter.
 */
export default defineConfig({
  root,
  plugins: [cloudflareTest({ main: "worker/index.ts", wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    include: ["bench/**/*.bench.ts"],
    testTimeout: 600_000,
    reporters: ["default", "./bench/results-reporter.ts"],
  },
});
