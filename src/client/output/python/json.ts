/**
 * Python's `json.dumps`, as aws CLI v2 calls it: `indent=4, ensure_ascii=False` for --output
 * json, no indent for the scalars --output yaml writes, and JMESPath's `to_string()` with
 * `separators=(',', ':')` and the default `ensure_ascii=True`.
 *
 * JSON.stringify is not enough: Python writes floats as `1e+16` / `1e-05` and never
 * reorders keys.
 */
import { isObject, pyFloatRepr, isPyInt } from "./values.js";

export interface DumpOptions {
  indent?: number;
  /** Item and key separators; Python's defaults are ", " / ": " without indent, "," / ": " with. */
  separators?: [string, string];
  ensureAscii?: boolean;
}

export function pyJsonDumps(value: unknown, options: DumpOptions = {}): string {
  const indent = options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [", ", ": "] : [",", ": "]);
  const ensureAscii = options.ensureAscii ?? true;

  const dump = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") return jsonNumber(v);
    if (typeof v === "string") return jsonString(v, ensureAscii);
    const open = (inner: string[], l: string, r: string) => {
      if (inner.length === 0) return l + r;
      if (indent === undefined) return l + inner.join(itemSep) + r;
      const pad = "\n" + " ".repeat(indent * (level + 1));
      return l + pad + inner.join(itemSep + pad) + "\n" + " ".repeat(indent * level) + r;
    };
    if (Array.isArray(v)) return open(v.map((x) => dump(x, level + 1)), "[", "]");
    if (isObject(v)) {
      return open(
        Object.entries(v).map(([k, x]) => jsonString(k, ensureAscii) + keySep + dump(x, level + 1)),
        "{",
        "}",
      );
    }
    return jsonString(String(v), ensureAscii);
  };
  return dump(value, 0);
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (isPyInt(n)) return Object.is(n, -0) ? "0" : BigInt(n).toString();
  return pyFloatRepr(n);
}

/** Python escapes ", \, \b \f \n \r \t, other controls as \u00XX; with ensure_ascii all non-ASCII too. */
function jsonString(text: string, ensureAscii: boolean): string {
  const escaped = JSON.stringify(text);
  if (!ensureAscii) return escaped;
  return escaped.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
