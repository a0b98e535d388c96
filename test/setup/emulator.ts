import type { TestProject } from "vitest/node";
import { type RunningEmulator, startEmulator } from "../../scripts/emulator";
import { freePort } from "../../scripts/ports";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the Google emulator started for this run (fresh, empty state). */
    emulatorUrl: string;
  }
}

let emulator: RunningEmulator | undefined;

/**
 * Starts the Google emulator once for the whole run, on a free port with fresh state, and hands its
 * origin to the Worker tests (as the Google base URL bindings) and to any test via `inject`.
 */
export async function setup(project: TestProject): Promise<void> {
  emulator = await startEmulator({ port: await freePort() });
  project.provide("emulatorUrl", emulator.url);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}
