/**
 * Wildcard patterns (spec §1.2, §3.2) compiled to regular expressions: `*` is any run of
 * characters, `?` exactly one, everything else is escaped and matches itself. A pattern comes in
 * pieces because text substituted from a policy variable (or written as ${*}, ${?}) is literal:
 * its `*` must not act as a wildcard.
 */

export interface Piece {
  readonly text: string;
  /** true: `*` and `?` in this piece are ordinary characters. */
  readonly literal: boolean;
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const escape = (s: string): string => s.replace(REGEX_SYNTAX, "\\$&");

export const hasWildcard = (text: string): boolean => text.includes("*") || text.includes("?");

/**
 * The regular-expression source of a pattern. With `arn`, the pattern is an ARN matched field by
 * field (ArnLike and friends): a wildcard in one of the first five colon-separated fields stays
 * inside that field; only in the last field written may it span colons. For a full six-field
 * ARN that is AWS's rule (the sixth field may hold colons). For a pattern with fewer fields
 * ("*", "arn:aws:iam::*"), letting its last field take the rest is our reading, UNCONFIRMED.
 */
export function globSource(pieces: readonly Piece[], arn = false): string {
  // Fields 1–5 are bounded by colons, but the last field written always takes the rest.
  const boundedFields = arn ? Math.min(5, pieces.reduce((n, p) => n + countColons(p.text), 0)) : 0;
  let colonsSeen = 0;
  let out = "";
  for (const { text, literal } of pieces) {
    if (literal) {
      out += escape(text);
      colonsSeen += countColons(text);
      continue;
    }
    for (const ch of text) {
      if (ch === ":") colonsSeen++;
      const inField = colonsSeen < boundedFields;
      if (ch === "*") out += inField ? "[^:]*" : ".*";
      else if (ch === "?") out += inField ? "[^:]" : ".";
      else out += escape(ch);
    }
  }
  return out;
}

const countColons = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf(":"); i >= 0; i = s.indexOf(":", i + 1)) n++;
  return n;
};

/** Whole-string match of one or more sources; `s` so that `.` also matches line breaks, `u` so it matches one character, not half of one. */
export const anchored = (sources: readonly string[]): RegExp => new RegExp(`^(?:${sources.join("|")})$`, "su");
