import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The Worker's imports point one way: routes → domain → adapters. Read from the source: every
 * `import … from`, `export … from` and `import()` of a relative path, type-only ones included (a
 * type import still ties a module to the layer it names).
 */

const ROOT = resolve(__dirname, "../..");
const WORKER = join(ROOT, "worker");

/** Folders whose code talks to the outside world and must know nothing of the layers above. */
const ADAPTERS = ["worker/youtube/", "worker/db/", "worker/mail/", "worker/stats/"];
/** The HTTP layer. */
const HTTP = ["worker/routes/", "worker/middleware/"];
/** Domain folders: they may use adapters, never the HTTP layer. */
const DOMAIN = ["worker/title-tests/", "worker/users/", "worker/billing/", "worker/notifications/"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = new Set(sourceFiles(WORKER).map((f) => relative(ROOT, f)));

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

/** The repository-relative files a source file imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(SPECIFIER)].flatMap((match) => {
    const specifier = match[1];
    if (!specifier?.startsWith(".")) return [];
    const target = relative(ROOT, resolve(dirname(join(ROOT, file)), specifier));
    if (target.endsWith(".ts")) return [target];
    return [[`${target}.ts`, `${target}/index.ts`].find((c) => files.has(c)) ?? `${target}.ts`];
  });
}

const graph = new Map([...files].map((file) => [file, importsOf(file)]));

const inAny = (file: string, folders: readonly string[]) => folders.some((f) => file.startsWith(f));

/** Every import of a file in `from` that lands in `to`, as "file → target". */
function crossings(from: readonly string[], to: readonly string[]): string[] {
  return [...graph].flatMap(([file, targets]) =>
    inAny(file, from) ? targets.filter((t) => inAny(t, to)).map((t) => `${file} → ${t}`) : [],
  );
}

/** The module a file belongs to: its top folder under worker/ (`worker/youtube`), or itself. */
function moduleOf(file: string): string {
  const [top, ...rest] = relative("worker", file).split("/");
  return rest.length > 0 ? `worker/${top}` : file;
}

/** The modules' graph: an edge wherever a file of one imports a file of another. */
function moduleGraph(): Map<string, Set<string>> {
  const modules = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = moduleOf(file);
    const edges = modules.get(from) ?? new Set<string>();
    for (const target of targets)
      if (graph.has(target) && moduleOf(target) !== from) edges.add(moduleOf(target));
    modules.set(from, edges);
  }
  return modules;
}

/** The cycles of a graph, each as the path that closes it (one per back edge of a depth-first walk). */
function cyclesOf(edges: ReadonlyMap<string, Iterable<string>>): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe("import direction in worker/", () => {
  it("reads the imports it judges", () => {
    // A reader that found nothing would pass every rule below.
    expect(graph.get("worker/app.ts")).toContain("worker/routes/tests.ts");
    expect(graph.get("worker/youtube/index.ts")?.length).toBeGreaterThan(0);
    expect(moduleGraph().get("worker/routes")).toContain("worker/title-tests");
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
    ).toEqual(["a → b → c → a"]);
  });

  it("adapters import neither the HTTP layer nor a domain folder", () => {
    expect(crossings(ADAPTERS, [...HTTP, ...DOMAIN])).toEqual([]);
  });

  it("domain folders do not import the HTTP layer", () => {
    expect(crossings(DOMAIN, HTTP)).toEqual([]);
  });

  it("has no import cycle between files", () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it("has no import cycle between folders (a folder imports another, which imports it back)", () => {
    expect(cyclesOf(moduleGraph())).toEqual([]);
  });
});
