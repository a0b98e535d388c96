import { readFileSync } from "node:fs";
import { unstable_startWorker } from "wrangler";

/**
 * The Worker under wrangler's local runtime, as `wrangler dev` runs it, started through wrangler's
 * API because the CLI cannot turn its DevTools bridge off. That bridge relays every inspector event
 * of the Worker — a console line, and a Network event for each subrequest — to wrangler's Node
 * process, which appends each to its debug log: a cost of local tooling only, which the load bench
 * must not bill to the routes that make subrequests (docs/BENCHMARKS.md). Run by `startStack`.
 *
 * Its settings come as one JSON file (`argv[2]`, written by the stack; vars include the dev
 * secrets, so they are not put on a command line): `port`, `persistTo`, `inspector` (whether
 * DevTools can attach) and `vars`.
 */
interface WorkerDevSettings {
  port: number;
  persistTo: string;
  inspector: boolean;
  vars: Record<string, string>;
}

const settingsFile = process.argv[2];
if (!settingsFile) throw new Error("usage: worker-dev.ts <settings.json>");
const settings = JSON.parse(readFileSync(settingsFile, "utf8")) as WorkerDevSettings;

const worker = await unstable_startWorker({
  config: "wrangler.toml",
  // The CLI derives this from wrangler.toml's flags; the API would bundle without Node's modules.
  build: {
    nodejsCompatMode: (config) => (config.compatibility_flags.includes("nodejs_compat") ? "v2" : null),
  },
  bindings: Object.fromEntries(
    Object.entries(settings.vars).map(([name, value]) => [name, { type: "plain_text", value }]),
  ),
  dev: {
    server: { hostname: "127.0.0.1", port: settings.port },
    inspector: settings.inspector ? { hostname: "127.0.0.1", port: 0 } : false,
    persist: settings.persistTo,
    testScheduled: true,
    watch: false,
    liveReload: false,
  },
});
await worker.ready;

const stop = () => void worker.dispose().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
