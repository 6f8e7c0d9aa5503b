/**
 * awscli/table.py `get_text_length`: columns a text takes, counting East Asian Wide, Fullwidth
 * and Ambiguous characters as two. ASCII never needs the table, so it is decoded on first use.
 */
import { pyStr } from "../python/values.js";
import { EAST_ASIAN_WIDE_RANGES } from "./east-asian-wide.js";

let ranges: Uint32Array | undefined;

function wideRanges(): Uint32Array {
  if (ranges) return ranges;
  const parts = EAST_ASIAN_WIDE_RANGES.split(",");
  const out = new Uint32Array(parts.length * 2);
  let previousEnd = -1;
  parts.forEach((part, i) => {
    const [gap = "0", span = "0"] = part.split(".");
    const start = previousEnd + 1 + parseInt(gap, 36);
    const end = start + parseInt(span, 36);
    out[2 * i] = start;
    out[2 * i + 1] = end;
    previousEnd = end;
  });
  ranges = out;
  return out;
}

function isWide(cp: number): boolean {
  const r = wideRanges();
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (r[2 * mid] as number)) hi = mid - 1;
    else if (cp > (r[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Takes any value, as table.py does (`six.text_type(text)` first). */
export function textLength(value: unknown): number {
  const text = pyStr(value);
  // Fast path: printable ASCII is one column a character.
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let n = 0;
  for (const ch of text) n += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  return n;
}
