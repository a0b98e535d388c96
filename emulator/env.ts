import type { EmulatorState } from "./state";

/** The emulator Worker's bindings (its own Worker, so not the app's global `Env`). */
export interface EmulatorEnv {
  EMULATOR: DurableObjectNamespace<EmulatorState>;
  /** The `iss` of ID tokens; empty means the emulator's own origin. */
  ISSUER?: string;
}

/** Hono environment of the emulator's routes. */
export type EmulatorAppEnv = { Bindings: EmulatorEnv };
