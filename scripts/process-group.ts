import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

/** A child process started in a process group of its own, so that stopping it stops its children too. */
export interface GroupProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Spawns `command` as the leader of a new process group. `wrangler dev` runs workerd as a child of
 * its own; signalling only the direct child leaves workerd holding the port, so `stop()` signals
 * the whole group (SIGTERM, then SIGKILL after 5 s).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): GroupProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return signal("SIGKILL");
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      signal("SIGKILL");
    },
  };
}
