/**
 * Statement positions as IAM's simulator reports them (spec §7.4): Line is 1-based; Column is
 * the 0-based offset of the brace within its line + 2. Both AWS samples are single-line, where
 * that is exactly "the column just after the brace, counted from 1" — what a streaming JSON
 * reader reports as its location once it has consumed the brace. We therefore count lines the
 * way such readers do: "\n", "\r" and "\r\n" each end a line. Multi-line behaviour, and whether
 * columns count characters or UTF-8 bytes (they differ only for U+0080–U+00FF), are UNCONFIRMED;
 * we count characters.
 */
import type { Position } from "./types.js";

/** Offsets at which each line starts, for many lookups in one text. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) starts.push(i + 1);
    else if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** The simulator position of the brace at `offset`. */
export function bracePosition(starts: readonly number[], offset: number): Position {
  // Binary search: the last line starting at or before the offset.
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 2 };
}
