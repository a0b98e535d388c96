import { defineConfig } from "vitest/config";

/** The browser tests: Debian's Chromium driven by playwright-core against a whole local stack. */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
