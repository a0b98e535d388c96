/**
 * A small parser of the Prometheus text exposition format (0.0.4), strict enough to catch what a
 * real scraper would reject: every sample belongs to a family declared by a TYPE line before it,
 * names and label sets are well formed, label values are unescaped, values are numbers.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help?: string;
  type?: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function unescapeText(text: string, quote: boolean): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === "n") return "\n";
    if (c === "\\") return "\\";
    if (c === '"' && quote) return '"';
    throw new Error(`bad escape \\${c}`);
  });
}

function parseValue(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m || m.index !== start) throw new Error(`bad labels {${text}}`);
    const [, name, value] = m as unknown as [string, string, string];
    if (name in labels) throw new Error(`label ${name} repeated`);
    labels[name] = unescapeText(value, true);
  }
  return labels;
}

/** The family a sample name belongs to (a histogram's `_bucket`, `_sum` and `_count` included). */
function familyOf(families: Map<string, ParsedFamily>, name: string): ParsedFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  const family = families.get(base);
  return family?.type === "histogram" || family?.type === "summary" ? family : undefined;
}

/** Parses an exposition; throws on anything malformed. */
export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const declare = (name: string) => {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
    let family = families.get(name);
    if (!family) {
      family = { name, samples: [] };
      families.set(name, family);
    }
    return family;
  };
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const comment = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (comment) {
      const [, keyword, name, rest = ""] = comment as unknown as [string, string, string, string?];
      const family = declare(name);
      if (keyword === "HELP") {
        if (family.help !== undefined) throw new Error(`second HELP for ${name}`);
        family.help = unescapeText(rest, false);
      } else {
        if (family.type !== undefined) throw new Error(`second TYPE for ${name}`);
        if (family.samples.length > 0) throw new Error(`TYPE of ${name} after its samples`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest))
          throw new Error(`bad type ${rest}`);
        family.type = rest;
      }
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!sample) throw new Error(`bad sample line: ${line}`);
    const [, name, labelText = "", value] = sample as unknown as [string, string, string | undefined, string];
    const family = familyOf(families, name);
    if (!family?.type) throw new Error(`sample ${name} has no TYPE before it`);
    family.samples.push({ name, labels: parseLabels(labelText), value: parseValue(value) });
  }
  return families;
}

/** The value of the sample `name` with exactly `labels` (0 when absent: counters start at 0). */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = familyOf(families, name);
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const match = family?.samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  return match?.value ?? 0;
}
