/**
 * Wildcard patterns (spec §1.2, §3.2): `*` is any run of characters, `?` exactly one, everything
 * else matches itself. A pattern comes in pieces because text substituted from a policy variable
 * (or written as ${*}, ${?}) is literal: its `*` must not act as a wildcard.
 *
 * Matching is a loop over the pattern and the value that backtracks only to the last `*` seen,
 * so it takes at most (pattern length × value length) steps. Regular expressions were used at
 * first and backtracked exponentially on patterns such as `*a*a*a*a*b`: one request with a policy
 * or a resource of its own choosing (the simulator takes both) could stall the whole server.
 * `?` matches one UTF-16 unit (a character outside the BMP counts as two; AWS names are ASCII).
 */

export interface Piece {
  readonly text: string;
  /** true: `*` and `?` in this piece are ordinary characters. */
  readonly literal: boolean;
}

/** Matches a whole value. */
export type Glob = (value: string) => boolean;

export const hasWildcard = (text: string): boolean => text.includes("*") || text.includes("?");

/** A pattern as code units, with the two wildcards as negative numbers. */
const STAR = -1;
const ONE = -2;
const COLON = 0x3a;

function unitsOf(pieces: readonly Piece[]): number[] {
  const units: number[] = [];
  for (const { text, literal } of pieces) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      units.push(literal ? c : c === 0x2a ? STAR : c === 0x3f ? ONE : c);
    }
  }
  return units;
}

/** Does value[from, to) match the units? */
function matchUnits(p: readonly number[], value: string, from: number, to: number): boolean {
  let pi = 0;
  let vi = from;
  let starAt = -1; // the last `*` seen in the pattern…
  let starFrom = 0; // …and where in the value its run currently ends
  while (vi < to) {
    const u = pi < p.length ? p[pi]! : undefined;
    if (u === STAR) {
      starAt = pi++;
      starFrom = vi;
    } else if (u !== undefined && (u === ONE || u === value.charCodeAt(vi))) {
      pi++;
      vi++;
    } else if (starAt >= 0) {
      // Give the last `*` one more character and try again from just after it.
      pi = starAt + 1;
      vi = ++starFrom;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

/**
 * A matcher for the pattern. With `arn`, the pattern is an ARN matched field by field (ArnLike
 * and friends): a wildcard in one of the first five colon-separated fields stays inside that
 * field; only the last field written may span colons. For a full six-field ARN that is AWS's
 * rule (the sixth field may hold colons). For a pattern with fewer fields ("*",
 * "arn:aws:iam::*"), letting its last field take the rest is our reading, UNCONFIRMED.
 */
export function compileGlob(pieces: readonly Piece[], arn = false): Glob {
  const units = unitsOf(pieces);
  if (!arn) return (value) => matchUnits(units, value, 0, value.length);
  // Split the pattern at its first (up to five) colons; the value is split at as many.
  const fields: number[][] = [[]];
  for (const u of units) {
    if (u === COLON && fields.length < 6) fields.push([]);
    else fields[fields.length - 1]!.push(u);
  }
  return (value) => {
    let from = 0;
    for (let f = 0; f < fields.length - 1; f++) {
      const colon = value.indexOf(":", from);
      if (colon < 0 || !matchUnits(fields[f]!, value, from, colon)) return false;
      from = colon + 1;
    }
    return matchUnits(fields[fields.length - 1]!, value, from, value.length);
  };
}

/** True when any of the matchers matches. */
export const anyOf = (globs: readonly Glob[]): Glob =>
  globs.length === 1 ? globs[0]! : (value) => globs.some((glob) => glob(value));
