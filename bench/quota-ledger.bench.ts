import { env, runInDurableObject } from "cloudflare:test";
import { it } from "vitest";

/**
 * Throughput of one QuotaLedger object: reserve+settle pairs per second over RPC (sequential and
 * with many callers in flight), a boundary herd through reserveBatch, and the object's own cost
 * without RPC, each next to an empty RPC round trip (`ping()`) measured in the same run.
 * Figures only, never assertions: this machine is shared and noisy.
 *
 * workerd's clock only moves on I/O, so every timing spans awaited RPC calls.
 */

const PROJECT = {
  id: "bench",
  clientId: "bench-client",
  clientSecretRef: "GOOGLE_CLIENT_SECRET_LOCAL_1",
  apiKeyRef: "YOUTUBE_API_KEY_LOCAL_1",
  dailyLimit: 1_000_000_000,
};

function ledger(name: string) {
  return env.QUOTA_LEDGER.get(env.QUOTA_LEDGER.idFromName(`bench-${name}-${crypto.randomUUID()}`));
}

type Stub = ReturnType<typeof ledger>;

async function timed(
  n: number,
  run: () => Promise<void>,
): Promise<{ n: number; ms: number; perSecond: number; usPerOp: number }> {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  return {
    n,
    ms: Math.round(ms),
    perSecond: Math.round((n / ms) * 1000),
    usPerOp: Math.round((ms * 1000) / n),
  };
}

async function pingSequential(stub: Stub, n: number) {
  return timed(n, async () => {
    for (let i = 0; i < n; i++) await stub.ping();
  });
}

async function pingConcurrent(stub: Stub, n: number, inFlight: number) {
  return timed(n, async () => {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = 0; i < n / inFlight; i++) await stub.ping();
      }),
    );
  });
}

async function pairSequential(stub: Stub, n: number) {
  return timed(n, async () => {
    for (let i = 0; i < n; i++) {
      const grant = await stub.reserve({ units: 50, priority: "standard", project: "bench" });
      if (!grant.granted) throw new Error(`denied: ${grant.reason}`);
      await stub.settle(grant.grantId, { units: 50, outcome: "ok" });
    }
  });
}

async function pairConcurrent(stub: Stub, n: number, inFlight: number) {
  return timed(n, async () => {
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        for (let i = 0; i < n / inFlight; i++) {
          const grant = await stub.reserve({
            units: 50,
            priority: "standard",
            userId: `u${worker}`,
            plan: "authority",
          });
          if (!grant.granted) throw new Error(`denied: ${grant.reason}`);
          await stub.settle(grant.grantId, { units: 50, outcome: "ok" });
        }
      }),
    );
  });
}

/** A boundary's herd: one reserveBatch of `size` rotations, then one settle per grant. */
async function herd(stub: Stub, size: number) {
  const requests = Array.from({ length: size }, (_, i) => ({
    units: 50,
    priority: "standard" as const,
    project: "bench",
    userId: `herd-${i}`,
    plan: "pro" as const,
  }));
  let grantIds: string[] = [];
  const reserve = await timed(size, async () => {
    const answers = await stub.reserveBatch(requests);
    grantIds = answers.flatMap((a) => (a.granted ? [a.grantId] : []));
  });
  const settle = await timed(grantIds.length, async () => {
    await stub.settleBatch(grantIds.map((grantId) => ({ grantId, units: 50, outcome: "ok" as const })));
  });
  return { reserveBatch: reserve, settleBatch: settle, granted: grantIds.length };
}

/** Pairs run inside the object (no RPC): the ceiling SQLite and the ledger's logic set. */
async function pairsInObject(stub: Stub, n: number) {
  const ping = await timed(1, async () => {
    await runInDurableObject(stub, () => undefined);
  });
  const run = await timed(n, async () => {
    await runInDurableObject(stub, (instance) => {
      for (let i = 0; i < n; i++) {
        const grant = instance.reserve({ units: 50, priority: "standard", project: "bench" });
        if (!grant.granted) throw new Error(`denied: ${grant.reason}`);
        instance.settle(grant.grantId, { units: 50, outcome: "ok" });
      }
    });
  });
  // Take away the one round trip runInDurableObject itself costs.
  const ms = Math.max(1, run.ms - ping.ms);
  return { n, ms, perSecond: Math.round((n / ms) * 1000), usPerOp: Math.round((ms * 1000) / n) };
}

it("measures reserve+settle through one QuotaLedger against an empty RPC round trip", async () => {
  const stub = ledger("main");
  await stub.upsertProject(PROJECT);
  // Warm up: the object, its SQLite, the isolate's JIT.
  await pingSequential(stub, 300);
  await pairSequential(stub, 200);

  const rounds = 3;
  const best = <T extends { perSecond: number }>(xs: T[]): T =>
    xs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const pingSeq = [];
  const pairSeq = [];
  const pingConc = [];
  const pairConc = [];
  const inObject = [];
  for (let r = 0; r < rounds; r++) {
    pingSeq.push(await pingSequential(stub, 1_000));
    pairSeq.push(await pairSequential(stub, 500));
    pingConc.push(await pingConcurrent(stub, 3_200, 64));
    pairConc.push(await pairConcurrent(stub, 1_600, 64));
    inObject.push(await pairsInObject(stub, 5_000));
  }
  const herdResult = await herd(stub, 2_500);
  const status = await stub.status();

  const figures = {
    machine: "workerd via @cloudflare/vitest-pool-workers 0.15.1 (caller and object in one process)",
    date: new Date().toISOString(),
    note: "best of 3 rounds; a pair = reserve (50 units) + settle, two RPC calls",
    pingSequential: best(pingSeq),
    reserveSettlePairsSequential: best(pairSeq),
    pingConcurrent64: best(pingConc),
    reserveSettlePairsConcurrent64: best(pairConc),
    reserveSettlePairsInObject: best(inObject),
    herd2500: herdResult,
    ratios: {
      pairVsPingSequential: Number((best(pingSeq).perSecond / best(pairSeq).perSecond).toFixed(2)),
      pairVsPingConcurrent: Number((best(pingConc).perSecond / best(pairConc).perSecond).toFixed(2)),
    },
    ledgerAfter: { openGrants: status.openGrants, grants: status.priorities.standard.grants },
  };

  console.log(
    [
      "QuotaLedger benchmark (ops per second, best of 3):",
      `  ping() sequential                 ${figures.pingSequential.perSecond}/s (${figures.pingSequential.usPerOp} µs)`,
      `  reserve+settle sequential         ${figures.reserveSettlePairsSequential.perSecond} pairs/s (${figures.reserveSettlePairsSequential.usPerOp} µs)`,
      `  ping() 64 in flight               ${figures.pingConcurrent64.perSecond}/s`,
      `  reserve+settle 64 in flight       ${figures.reserveSettlePairsConcurrent64.perSecond} pairs/s`,
      `  reserve+settle inside the object  ${figures.reserveSettlePairsInObject.perSecond} pairs/s (${figures.reserveSettlePairsInObject.usPerOp} µs)`,
      `  herd of 2,500: reserveBatch ${herdResult.reserveBatch.ms} ms, settleBatch of ${herdResult.granted} ${herdResult.settleBatch.ms} ms`,
      `  a pair costs ${figures.ratios.pairVsPingSequential}× a ping sequentially, ${figures.ratios.pairVsPingConcurrent}× with 64 in flight`,
    ].join("\n"),
  );
  console.log(`BENCH_RESULT quota-ledger ${JSON.stringify(figures)}`);
});
