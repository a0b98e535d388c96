import { defineConfig } from "vitest/config";

/**
 * The browser tests: Debian's Chromium driven by playwright-core against one whole local stack
 * (`global-setup.ts`), the files one after another since they share its demo creator.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
