/**
 * Byte-level helpers shared by the parser and the canonicaliser.
 *
 * A signature covers bytes, not characters, so everything here works on bytes. The wire
 * strings of a `WireRequest` come from node's http parser, which presents every byte of the
 * request line and of header values as one character U+0000..U+00FF (latin1). We turn such a
 * string back into the exact bytes the client sent. A string holding any character above
 * U+00FF cannot have come from the wire that way; it is a real Unicode string (a test, or a
 * caller that decoded already), and we take its UTF-8 bytes, as every AWS signer does.
 */
import type { WireRequest } from "./types.js";

const NON_LATIN1 = /[^\u0000-\u00ff]/;

/** The bytes a wire string stands for (see the module comment). */
export function wireBytes(s: string): Buffer {
  return NON_LATIN1.test(s) ? Buffer.from(s, "utf8") : Buffer.from(s, "latin1");
}

/** As a wire string (one character per byte); a no-op for what node's parser produces. */
export function wireString(s: string): string {
  return NON_LATIN1.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s;
}

/** A header's value by lower-case name, repeated ones joined with ',' (as SigV4 reads them). */
export function headerValue(req: WireRequest, lowerName: string): string | undefined {
  let value: string | undefined;
  for (const [name, v] of req.headers) {
    // The length test first: most headers are not the one asked for (this runs per request).
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) value = value === undefined ? v : `${value},${v}`;
  }
  return value;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30; // 0-9
  if (b >= 0x41 && b <= 0x46) return b - 0x37; // A-F
  if (b >= 0x61 && b <= 0x66) return b - 0x57; // a-f
  return -1;
}

/**
 * Percent-decode to bytes. A '%' not followed by two hex digits is kept literally (it will be
 * re-encoded as %25) rather than rejected: decoding must never throw, and a client that sent
 * such a query cannot have produced a signature we would match anyway.
 *
 * `plusAsSpace`: in a query string '+' means a space (application/x-www-form-urlencoded, which
 * is how botocore's `urlencode` and node's `querystring` write spaces while signing them as
 * %20). A literal plus is always sent as %2B by AWS signers.
 */
export function percentDecode(s: string, plusAsSpace: boolean): Buffer {
  const bytes = wireBytes(s);
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = plusAsSpace && b === 0x2b ? 0x20 : b;
  }
  return out.subarray(0, n);
}

const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  "%" + b.toString(16).toUpperCase().padStart(2, "0"),
);

/** RFC 3986 unreserved characters: the only bytes SigV4 leaves unencoded. */
function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x30 && b <= 0x39) || // 0-9
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x7e // ~
  );
}

/**
 * SigV4's UriEncode: every byte outside the unreserved set becomes %XX with upper-case hex.
 * `keepSlash` leaves '/' alone, for the canonical URI.
 */
export function uriEncode(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (const b of bytes) {
    out += isUnreserved(b) || (keepSlash && b === 0x2f) ? String.fromCharCode(b) : HEX_UPPER[b]!;
  }
  return out;
}

/** One `name=value` piece of a raw query string, both still percent-encoded as sent. */
export interface RawQueryPair {
  name: string;
  value: string;
}

/**
 * Split a raw query string into its pairs, in order. A piece without '=' is a name with an
 * empty value (it is signed as `name=`). Empty pieces (`a=1&&b=2`, a trailing '&') carry no
 * parameter and are dropped.
 */
export function splitQuery(rawQuery: string): RawQueryPair[] {
  const pairs: RawQueryPair[] = [];
  if (rawQuery === "") return pairs;
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    pairs.push(
      eq < 0 ? { name: piece, value: "" } : { name: piece.slice(0, eq), value: piece.slice(eq + 1) },
    );
  }
  return pairs;
}
