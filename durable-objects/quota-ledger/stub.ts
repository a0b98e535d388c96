import type { QuotaGate } from "../../worker/quota/types";

/**
 * The central QuotaLedger's stub (`idFromName("global")`): the one door to YouTube quota. It is a
 * QuotaGate (reserve/settle) and also carries the ledger's other RPC methods (reserveBatch,
 * assignProject, status, the admin ones).
 */
export function quotaLedger(env: Pick<Env, "QUOTA_LEDGER">) {
  const stub = env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName("global"));
  return stub satisfies QuotaGate;
}
