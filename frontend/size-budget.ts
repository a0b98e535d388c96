import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/**
 * Fails the build when what the first page load fetches — the entry chunk, every chunk it imports
 * statically, and the CSS — is over `limitKb` gzipped. Lazy routes don't count: they load later.
 */
export function sizeBudget(limitKb = 60): Plugin {
  return {
    name: "size-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const initial = new Set<string>();
      const visit = (fileName: string) => {
        const chunk = bundle[fileName];
        if (chunk?.type !== "chunk" || initial.has(fileName)) return;
        initial.add(fileName);
        for (const imported of chunk.imports) visit(imported);
      };
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type === "chunk" && output.isEntry) visit(fileName);
        // CSS is render-blocking and small here, so all of it counts.
        if (output.type === "asset" && fileName.endsWith(".css")) initial.add(fileName);
      }
      let bytes = 0;
      for (const fileName of initial) {
        const output = bundle[fileName];
        if (!output) continue;
        bytes += gzipSync(output.type === "chunk" ? output.code : output.source, { level: 9 }).length;
      }
      const kb = bytes / 1024;
      const line = `initial JS + CSS: ${kb.toFixed(1)} KB gzipped (budget ${limitKb} KB, ${initial.size} files)`;
      if (kb > limitKb) throw new Error(`size budget exceeded — ${line}`);
      this.info(line);
    },
  };
}
