/**
 * Stripe's request bodies: `application/x-www-form-urlencoded` with bracketed keys, as the `stripe`
 * package writes them (`line_items[0][price]=…`, `metadata[userId]=…`, `expand[]=…`).
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Form = { [key: string]: FormValue };

/** Parses a form body into nested objects and arrays. */
export function parseForm(text: string): Form {
  const root: Form = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const parts = rawKey.split("[").map((p, i) => (i === 0 ? p : p.replace(/]$/, "")));
    let node: Form | FormValue[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(parts[i + 1] ?? "");
      const key = Array.isArray(node) ? (part === "" ? node.length : Number(part)) : part;
      const container = node as Record<string | number, FormValue>;
      if (last) {
        container[key] = value;
        return;
      }
      container[key] ??= nextIsIndex ? [] : {};
      node = container[key] as Form | FormValue[];
    });
  }
  return root;
}

/** A string field of a parsed form (nested by path), or undefined. */
export function field(form: Form, ...path: (string | number)[]): string | undefined {
  let node: FormValue | undefined = form;
  for (const key of path) {
    if (node === undefined || typeof node === "string") return undefined;
    node = (node as Record<string | number, FormValue>)[key];
  }
  return typeof node === "string" ? node : undefined;
}

/** A `metadata[...]` map of a form (strings only, as Stripe keeps them). */
export function metadataOf(value: FormValue | undefined): Record<string, string> {
  if (!value || typeof value === "string" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
