import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time by process role, read from Linux's /proc: where a load run's machine time went — the
 * Worker's workerd, wrangler's proxy workerd and its Node process, the bench itself (autocannon,
 * the SQL-over-HTTP proxy, PGlite when embedded), Postgres, the emulator. Elsewhere it reads
 * nothing and the bench prints no split.
 */

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessInfo {
  pid: number;
  ppid: number;
  ticks: number;
  command: string;
}

function readProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name in parentheses may hold spaces: fields are counted after its ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      return [
        {
          pid: Number(pid),
          ppid: Number(fields[1]),
          ticks: Number(fields[11]) + Number(fields[12]),
          command,
        },
      ];
    } catch {
      return []; // ended while read
    }
  });
}

/** The role of one process of the stack, or null when it is none of the stack's. */
function roleOf(info: ProcessInfo, byPid: ReadonlyMap<number, ProcessInfo>, appPort: number): string | null {
  if (info.pid === process.pid) return "bench (autocannon, SQL proxy, PGlite if embedded)";
  if (info.command.startsWith("postgres")) return "postgres";
  const ancestry: ProcessInfo[] = [];
  for (let at = byPid.get(info.ppid); at && ancestry.length < 8; at = byPid.get(at.ppid)) ancestry.push(at);
  if (!ancestry.some((a) => a.pid === process.pid)) return null;
  const inEmulator = [info, ...ancestry].some((p) => p.command.includes("emulator/wrangler.toml"));
  if (inEmulator) return "emulator";
  if (info.command.includes("worker-dev.ts")) return "wrangler (Node)";
  if (info.command.includes("workerd")) {
    return info.command.includes(`entry=127.0.0.1:${appPort} `)
      ? "workerd: wrangler's proxy worker"
      : "workerd: the Worker";
  }
  return "other";
}

/** CPU ticks so far by role. */
export type CpuSnapshot = Map<string, number>;

/** The stack's CPU ticks so far, by role (the app listening on `appPort`). */
export function cpuSnapshot(appPort: number): CpuSnapshot {
  const processes = readProcesses();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const ticks: CpuSnapshot = new Map();
  for (const info of processes) {
    const role = roleOf(info, byPid, appPort);
    if (role) ticks.set(role, (ticks.get(role) ?? 0) + info.ticks);
  }
  return ticks;
}

/** Adds the ticks each role spent between `before` and `after` to `total`. */
export function addCpuSpent(total: CpuSnapshot, before: CpuSnapshot, after: CpuSnapshot): void {
  for (const [role, ticks] of after)
    total.set(role, (total.get(role) ?? 0) + ticks - (before.get(role) ?? 0));
}

/** Milliseconds of CPU per request, by role, of the ticks `spent` (`addCpuSpent`) over `requests`. */
export function cpuPerRequest(spent: CpuSnapshot, requests: number): Record<string, number> {
  const perRequest: Record<string, number> = {};
  let total = 0;
  for (const [role, ticks] of spent) {
    const ms = (ticks / TICKS_PER_SECOND / Math.max(1, requests)) * 1000;
    if (ms <= 0) continue;
    perRequest[role] = Number(ms.toFixed(2));
    total += ms;
  }
  perRequest.total = Number(total.toFixed(2));
  return perRequest;
}
