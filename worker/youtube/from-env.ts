import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { recordYouTubeCall } from "../metrics/record";
import { isGoogleCredentialRef, readQuotaConfig } from "../quota/config";
import { YouTubeClient, type YouTubeClientOptions } from "./client";
import { googleEndpoints } from "./endpoints";
import { YouTubeError } from "./errors";
import { callDeps, type OAuthClientCredentials, type OAuthDeps } from "./oauth";

/**
 * The YouTube client and OAuth functions wired to the Worker's environment: Google's base URLs
 * from the vars, the QuotaLedger as the quota gate, the CACHE namespace for tokens and responses,
 * and each project's OAuth secret from the Worker secret its configuration names.
 */

/** What the OAuth functions need, from the Worker's environment. */
export function oauthDeps(env: Env): OAuthDeps {
  return callDeps(googleEndpoints(env), {}, 10_000);
}

/**
 * The OAuth client of a project: its id from QUOTA_PROJECTS (or from the ledger, for projects an
 * admin added at runtime) and its secret from the Worker secret named by `clientSecretRef`.
 */
export async function oauthClientOf(env: Env, projectId: string): Promise<OAuthClientCredentials> {
  let config: { clientId: string; clientSecretRef: string } | undefined = readQuotaConfig(env).projects.find(
    (p) => p.id === projectId,
  );
  if (!config) {
    const status = await quotaLedger(env).status();
    config = status.projects.find((p) => p.id === projectId);
  }
  if (!config) throw new YouTubeError("invalid_request", `unknown quota project ${projectId}`);
  // Whatever the ref names is sent to Google: never any secret but a Google client secret.
  if (!isGoogleCredentialRef("clientSecret", config.clientSecretRef)) {
    throw new YouTubeError(
      "invalid_request",
      `project ${projectId} names a secret that is not a Google client secret`,
    );
  }
  const secret: unknown = Reflect.get(env, config.clientSecretRef);
  if (typeof secret !== "string" || secret.length === 0) {
    throw new YouTubeError(
      "invalid_request",
      `the OAuth secret ${config.clientSecretRef} of project ${projectId} is not set`,
    );
  }
  return { clientId: config.clientId, clientSecret: secret };
}

/** A YouTubeClient for this Worker (one per request or alarm is fine: it holds no connections). */
export function youtubeClient(env: Env, options: Partial<YouTubeClientOptions> = {}): YouTubeClient {
  return new YouTubeClient({
    endpoints: googleEndpoints(env),
    gate: quotaLedger(env),
    kv: env.CACHE,
    oauthClient: (projectId) => oauthClientOf(env, projectId),
    ...options,
    onCall: (report) => {
      recordYouTubeCall(env, report);
      options.onCall?.(report);
    },
  });
}
