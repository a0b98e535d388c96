import { env } from "cloudflare:test";
import type { QuotaDenial, QuotaGrant, QuotaProjectConfig } from "../../worker/quota/types";

/** A ledger of its own for one test (`idFromName`), so tests never share quota. */
export function freshLedger(name: string) {
  return env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName(`${name}-${crypto.randomUUID()}`));
}

/** A project config for the admin API / `upsertProject`, reusing the local emulator key. */
export function projectConfig(id: string, dailyLimit: number): QuotaProjectConfig {
  return {
    id,
    clientId: `${id}-client`,
    clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
    apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
    dailyLimit,
  };
}

/** Instants in UTC, written as ISO strings for readability. */
export const at = (iso: string): number => Date.parse(iso);

/** Narrows a reserve answer to a grant, failing the test with the denial otherwise. */
export function expectGrant(answer: QuotaGrant | QuotaDenial): QuotaGrant {
  if (!answer.granted) throw new Error(`expected a grant, got a denial: ${JSON.stringify(answer)}`);
  return answer;
}

/** Narrows a reserve answer to a denial, failing the test with the grant otherwise. */
export function expectDenial(answer: QuotaGrant | QuotaDenial): QuotaDenial {
  if (answer.granted) throw new Error(`expected a denial, got grant ${answer.grantId} on ${answer.project}`);
  return answer;
}

/** The i-th element, failing the test when there is none. */
export function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`expected an element at ${i}, got ${items.length} elements`);
  return item;
}
