import type { MailSink } from "./mail/sink";
import type { EmulatorState } from "./state";
import type { StripeState } from "./stripe/state";

/** The emulator Worker's bindings (its own Worker, so not the app's global `Env`). */
export interface EmulatorEnv {
  EMULATOR: DurableObjectNamespace<EmulatorState>;
  /** The mail sink (emulator/mail/): every mail the app sends locally. */
  MAIL_SINK: DurableObjectNamespace<MailSink>;
  /** The one API key the mail sink accepts (EMULATOR-ONLY, the same as the app's local MAIL_API_KEY). */
  MAIL_API_KEY?: string;
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
