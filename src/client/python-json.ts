/**
 * Python's `json.dumps` with its defaults (`ensure_ascii=True`, separators `", "` and `": "`,
 * no indent), optionally with `sort_keys=True`. The aws CLI names its role-credential cache
 * files by the SHA-1 of such a dump and writes the files with it, so both must come out byte for
 * byte as Python makes them (spec §8.1).
 */

export type PythonJson = string | number | boolean | null | readonly PythonJson[] | { readonly [key: string]: PythonJson };

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** json's `py_encode_basestring_ascii`: printable ASCII as is, everything else escaped, lower-case hex. */
export function pythonJsonString(text: string): string {
  let out = '"';
  // Iterating UTF-16 code units gives exactly Python's surrogate pairs for astral characters.
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const unit = text.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (unit >= 0x20 && unit <= 0x7e) out += c;
    else out += `\\u${unit.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** Python compares str by code point; JavaScript's `<` by UTF-16 unit. They differ above U+FFFF. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function pythonJsonDumps(value: PythonJson, options: { sortKeys?: boolean } = {}): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "number") {
    // Only integers travel here (DurationSeconds, HTTPStatusCode, …); a float would print as Python's repr.
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: PythonJson) => pythonJsonDumps(v, options)).join(", ")}]`;
  const entries = Object.entries(value as { readonly [key: string]: PythonJson });
  if (options.sortKeys) entries.sort(([a], [b]) => byCodePoint(a, b));
  return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v, options)}`).join(", ")}}`;
}
