import { hash } from "node:crypto";
import type { SigV4Auth, WireRequest } from "./types.js";
import { SHA256_HEADER, SIGNATURE_QUERY_PARAM } from "./constants.js";
import { headerValue, percentDecode, splitQuery, uriEncode, wireBytes, wireString } from "./uri.js";

/*
 * Task 1 of SigV4: the canonical request, rebuilt from the bytes the client sent.
 *
 *   <method>\n<canonical URI>\n<canonical query>\n<canonical headers>\n\n<signed headers>\n<payload hash>
 *
 * The result is a wire string: one character per byte (see uri.ts), so that hashing it with
 * `wireBytes` gives exactly the bytes the client hashed. Path and query come out as pure
 * ASCII (everything else is percent-encoded); header values keep their bytes.
 */

export interface CanonicalOptions {
  /**
   * Remove dot segments and empty segments from the path before encoding it. AWS does this for
   * every service except S3, so it is the default and what verifySignature uses; `false`
   * exists for S3 and to check the vector suites' "unnormalized" variants.
   */
  normalizePath?: boolean;
  /**
   * Encode the path as sent once more ("double encoding", the default, every service but S3).
   * `false` is S3's rule: the path is signed as its segments' bytes encoded once (see
   * canonicalUri).
   */
  doubleEncodePath?: boolean;
  /**
   * The payload-hash line, when the caller has decided it (S3: the x-amz-content-sha256 value,
   * or UNSIGNED-PAYLOAD for a presigned URL). By default: payloadHash(req).
   */
  payloadHash?: string;
}

/**
 * RFC 3986 section 5.2.4 dot-segment removal, plus AWS's collapsing of empty segments ("//"),
 * exactly as botocore's remove_dot_segments: a leading '/' is kept, a trailing '/' is kept
 * when anything remains, ".." above the root is dropped.
 *
 * It runs on the path as sent (still percent-encoded), so "%2E%2E" is an ordinary segment -
 * as it is for every AWS signer.
 */
export function removeDotSegments(path: string): string {
  if (path === "") return "";
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  const first = path.startsWith("/") ? "/" : "";
  const last = path.endsWith("/") && out.length > 0 ? "/" : "";
  return first + out.join("/") + last;
}

/**
 * The canonical URI: the (normalised) path as sent, URI-encoded once more, '/' excepted.
 * For non-S3 services AWS encodes the already-encoded path again ("double encoding"): a path
 * sent as /a%20b is signed as /a%2520b. botocore, smithy and aws4 all sign it that way, and a
 * literal space the vectors put in a path becomes %20.
 *
 * `doubleEncode = false` is S3's rule (s3-spec §5.1): each '/'-separated segment is decoded and
 * encoded once, so a path a client already encoded is signed exactly as sent
 * (/k/with%20space%2Bplus%26amp.txt stays as it is, %2F inside a segment stays %2F), while a
 * byte a client left raw is encoded as S3 does ("PUT /test$file.text" signs /test%24file.text,
 * AWS's own example). Lower-case escapes come out upper-case (%2f signs as %2F), as every AWS
 * signer writes them.
 */
export function canonicalUri(rawPath: string, normalizePath = true, doubleEncode = true): string {
  if (rawPath === "/") return "/"; // every Query request, every ListBuckets
  const path = normalizePath ? removeDotSegments(rawPath) : rawPath;
  if (path === "") return "/";
  if (doubleEncode) return uriEncode(wireBytes(path), true);
  return path
    .split("/")
    .map((segment) => uriEncode(percentDecode(segment, false), false))
    .join("/");
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical query string: every parameter decoded then re-encoded with the unreserved set
 * (so %7e and ~, or a raw space and %20, sign alike), sorted by encoded name then encoded
 * value, `name=` for an empty value. '+' decodes as a space (see percentDecode).
 * A presigned URL's own X-Amz-Signature is left out: it cannot sign itself.
 */
export function canonicalQuery(rawQuery: string, excludeSignature: boolean): string {
  const pairs: Array<[string, string]> = [];
  for (const { name, value } of splitQuery(rawQuery)) {
    const encodedName = uriEncode(percentDecode(name, true), false);
    if (excludeSignature && encodedName === SIGNATURE_QUERY_PARAM) continue;
    pairs.push([encodedName, uriEncode(percentDecode(value, true), false)]);
  }
  pairs.sort((a, b) => compareAscii(a[0], b[0]) || compareAscii(a[1], b[1]));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * Whitespace for header-value trimming: ASCII only, as aws-c-auth does. Unicode whitespace
 * must not count: a wire string's U+00A0 or U+0085 is a byte of a UTF-8 sequence, not a space.
 */
const WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;
/** Anything trimAll would change: a non-space whitespace, two spaces, a leading or trailing space. */
const NEEDS_TRIM = /[\t\n\v\f\r]| {2}|^ | $/;

/** Trimall: trim, and collapse inner whitespace runs to one space. */
export function trimAll(value: string): string {
  if (!NEEDS_TRIM.test(value)) return value; // the usual case, without building a new string
  return value.replace(WHITESPACE_RUN, " ").replace(/^ | $/g, "");
}

/**
 * The canonical headers block (without its final blank line): one `name:value` line per
 * signed header, in SignedHeaders order (clients send it sorted; we sign what they claimed).
 * A header sent several times gives its trimmed values joined with ',' in arrival order.
 * A signed header that is absent gives `name:` and the signature simply fails to match.
 */
export function canonicalHeaders(
  headers: WireRequest["headers"],
  signedHeaders: readonly string[],
): string {
  // A map, not a search per signed header: a hostile request may carry thousands of both.
  const values = new Map<string, string | undefined>();
  for (const name of signedHeaders) values.set(name, undefined);
  for (const [name, sent] of headers) {
    const key = name.toLowerCase();
    if (!values.has(key)) continue;
    const trimmed = trimAll(wireString(sent));
    const previous = values.get(key);
    values.set(key, previous === undefined ? trimmed : `${previous},${trimmed}`);
  }
  return signedHeaders.map((name) => `${name}:${values.get(name) ?? ""}`).join("\n");
}

const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * Lower-case hex SHA-256 of bytes, or of the bytes a wire string stands for. An ASCII string is
 * its own UTF-8, so it is hashed as is. The one-shot `hash` costs half of createHash on inputs
 * this small (it runs twice per request).
 */
export function sha256Hex(data: Uint8Array | string): string {
  return hash("sha256", typeof data === "string" && NON_ASCII.test(data) ? wireBytes(data) : data, "hex");
}

/** The x-amz-content-sha256 header as sent (repeated ones joined with ','), if any. */
export function declaredPayloadHash(req: WireRequest): string | undefined {
  return headerValue(req, SHA256_HEADER);
}

/**
 * The payload hash line. A client that sends x-amz-content-sha256 signs that value (the
 * vectors' sign_body cases; "UNSIGNED-PAYLOAD" only ever because the header says so - unlike
 * S3, a presigned URL for other services signs the body's hash). Otherwise the hash of the
 * body. verifySignature separately insists that a declared hash is the body's real hash.
 */
export function payloadHash(req: WireRequest): string {
  return declaredPayloadHash(req) ?? sha256Hex(req.body);
}

/** The canonical request for `req` as described by `auth`. */
export function canonicalRequest(
  req: WireRequest,
  auth: SigV4Auth,
  options: CanonicalOptions = {},
): string {
  return [
    req.method,
    canonicalUri(req.rawPath, options.normalizePath ?? true, options.doubleEncodePath ?? true),
    canonicalQuery(req.rawQuery, auth.form === "query"),
    canonicalHeaders(req.headers, auth.signedHeaders) + "\n",
    auth.signedHeaders.join(";"),
    options.payloadHash ?? payloadHash(req),
  ].join("\n");
}
