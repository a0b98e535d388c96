import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../scripts/ports";
import { startStack } from "../scripts/stack";

declare module "vitest" {
  export interface ProvidedContext {
    /** The app of the stack every browser test drives. */
    appUrl: string;
    /** Its Google emulator (admin API under `/__emulator/`). */
    emulatorUrl: string;
    /** Its database, for the few tests that must seed what only days of real time would write. */
    database: { databaseUrl: string; wsProxy: string };
  }
}

/**
 * One whole local stack for every browser test file (starting one takes tens of seconds), on
 * free ports with fresh state in a temporary folder; stopped and removed after the run.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), "ttp-e2e-"));
  const stack = await startStack({
    appPort: await freePort(),
    emulatorPort: await freePort(),
    dataDir,
  }).catch(async (err: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  project.provide("appUrl", stack.url);
  project.provide("emulatorUrl", stack.emulatorUrl);
  project.provide("database", stack.database);
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
