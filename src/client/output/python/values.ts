/**
 * How CPython turns values into text. aws CLI v2 is Python: every formatter ends in `str()`,
 * `repr()` or `sorted()` somewhere, so these are ported once and shared.
 *
 * Values are the JSON-like data the formatters see: string, number, boolean, null, arrays and
 * plain objects. A JS number cannot say whether Python held an `int` or a `float`; integral
 * numbers are taken as `int` (what a botocore response or a JMESPath `length()` gives) and
 * everything else as `float`. The known cost: a Python float that happens to be integral
 * (`avg([`2`])` is `2.0` in aws) prints as `2` here.
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export function isObject(value: unknown): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Python `type(x).__name__` for the JSON-like values. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return isPyInt(value) ? "int" : "float";
  if (Array.isArray(value)) return "list";
  return "dict";
}

export function isPyInt(n: number): boolean {
  return Number.isInteger(n);
}

/** `str(x)`. */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pyNumber(value);
  return pyRepr(value);
}

/** `repr(x)`: what `str()` of a list or dict shows for its members. */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return pyStringRepr(value);
  // Not JSON data (a JMESPath &expression): Python shows the object's own repr.
  if (isForeignObject(value)) return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return pyStr(value);
}

function isForeignObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto !== Object.prototype && proto !== null;
}

/** `repr()` of an int or float (`str()` is the same for both in Python 3). */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (isPyInt(n)) return Object.is(n, -0) ? "0" : BigInt(n).toString();
  return pyFloatRepr(n);
}

/**
 * CPython's float repr: the shortest round-tripping digits (which JS also finds), written in
 * fixed notation when the decimal point falls within 16 digits, else as `1e+16` / `1e-05`.
 */
export function pyFloatRepr(n: number): string {
  if (!Number.isFinite(n)) return pyNumber(n);
  const sign = n < 0 || Object.is(n, -0) ? "-" : "";
  const [mantissa = "0", exponent = "0"] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const decpt = Number(exponent) + 1; // digits are d1.d2d3... * 10^(decpt-1)
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const rest = digits.slice(1);
  const exp = decpt - 1;
  const expText = String(Math.abs(exp)).padStart(2, "0");
  return `${sign}${digits[0]}${rest ? `.${rest}` : ""}e${exp < 0 ? "-" : "+"}${expText}`;
}

// Python's str.isprintable(): everything but categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs
// (the ASCII space excepted).
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** `repr(str)`: single quotes unless the text holds a ' and no ", escapes as CPython writes them. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += ch;
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      out += cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Python's `sorted()` of strings: by code point, not by UTF-16 unit as JS's default sort. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

export function sortedKeys(object: { [key: string]: unknown }): string[] {
  return Object.keys(object).sort(compareCodePoints);
}

/** Python truthiness of a JSON-like value (`if not current:` in the table formatter). */
export function pyFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** Python `==` between JSON-like values (True == 1, 1 == 1.0, deep for lists and dicts). */
export function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) => typeof v === "number" || typeof v === "boolean";
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b || (a == null && b == null);
}

/** `len(str)`: code points. */
export function pyLen(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
