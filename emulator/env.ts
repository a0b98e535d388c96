import type { EmulatorState } from "./state";
import type { StripeState } from "./stripe/state";

/** The emulator Worker's bindings (its own Worker, so not the app's global `Env`). */
export interface EmulatorEnv {
  EMULATOR: DurableObjectNamespace<EmulatorState>;
  /** The `iss` of ID tokens; empty means the emulator's own origin. */
  ISSUER?: string;
  /** The Stripe stand-in (emulator/stripe/). */
  STRIPE: DurableObjectNamespace<StripeState>;
  /** The secret key the stand-in accepts and the secret it signs webhooks with (emulator-only values). */
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
}

/** Hono environment of the emulator's routes. */
export type EmulatorAppEnv = { Bindings: EmulatorEnv };
