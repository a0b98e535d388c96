import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { workerProject } from "../test/setup/worker-project";
import { partsFor } from "./fuzz/split";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * The bad-input fuzzer (`npm run bench:fuzz`): the Worker inside workerd with its own Postgres
 * (`<DATABASE_URL's name>_fuzz`, or an embedded PGlite) and the Google emulator. How many requests
 * and which seed come from the environment: `FUZZ_REQUESTS` (10,000 by default; CI runs 500) and
 * `FUZZ_SEED` (random by default, printed so a run can be repeated); a whole sign-in flow follows
 * every `FUZZ_FLOW_EVERY` requests (10; 0 for none).
 */
const requests = process.env.FUZZ_REQUESTS ?? "10000";
/** The part files that carry requests (the fuzzer's split, bench/fuzz/split.ts). */
const parts = Array.from(
  { length: partsFor(Number(requests)) },
  (_, i) => `bench/fuzz/part-${String(i + 1).padStart(2, "0")}.fuzz.ts`,
);
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));

export default defineConfig({
  root,
  test: {
    reporters: ["default", "./bench/fuzz/reporter.ts"],
    // The Worker logs one JSON line per request: thousands here. Errors (with their stack) stay.
    onConsoleLog: (log) => !log.startsWith('{"level":"info"'),
    projects: [
      workerProject(
        "bench-fuzz",
        {
          include: parts,
          // One part after another: each is a fresh runtime, and the database checks assume one writer.
          fileParallelism: false,
          globalSetup: ["bench/fuzz-database.ts", "test/setup/emulator.ts"],
          testTimeout: 1_800_000,
          hookTimeout: 120_000,
        },
        {
          FUZZ_REQUESTS: requests,
          FUZZ_SEED: seed,
          FUZZ_PROGRESS: process.env.FUZZ_PROGRESS ?? "1000",
          // Only the routes whose name contains this (e.g. "/api/tests/:id"), to chase one finding.
          FUZZ_ONLY: process.env.FUZZ_ONLY ?? "",
          FUZZ_CHECK_EVERY: process.env.FUZZ_CHECK_EVERY ?? "1",
          FUZZ_FLOW_EVERY: process.env.FUZZ_FLOW_EVERY ?? "10",
          // Both tokens set, so the fuzzer meets the admin and metrics routes' checks, not their 404.
          ADMIN_API_TOKEN: randomUUID(),
          METRICS_TOKEN: randomUUID(),
          // Quota is not what is under test: no creator's cap or project's day may turn into a 503.
          QUOTA_PROJECTS: JSON.stringify([
            {
              id: "local-1",
              clientId: "local-client-1",
              clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
              apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
              dailyLimit: 10_000_000,
            },
          ]),
          QUOTA_POLICY: JSON.stringify({
            userCaps: { free: 10_000_000, pro: 10_000_000, authority: 10_000_000 },
          }),
        },
      ),
    ],
  },
});
