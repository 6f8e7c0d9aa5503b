/**
 * SigV4 as S3 applies it (s3-spec §5). The steps are this module's neighbours' - canonical
 * request, string to sign, signing key, signature; what S3 changes are parameters of them:
 *
 * - the path is signed as sent: no dot-segment removal, no second encoding (canonicalUri);
 * - the payload line is the x-amz-content-sha256 header, which S3 requires, or UNSIGNED-PAYLOAD
 *   for a presigned URL; the body is then checked against it as it streams (payload.ts,
 *   chunked.ts), never read whole here;
 * - a presigned URL lives X-Amz-Expires seconds (at most a week) instead of ±15 minutes;
 * - failures carry the values S3 prints in its error elements, so the caller renders them.
 *
 * Everything is pure: time is a parameter, nothing is read from the environment.
 */
import { timingSafeEqual } from "node:crypto";
import type { SigV4Auth, WireRequest } from "./types.js";
import {
  CONTENT_SHA256_QUERY_PARAM,
  DECODED_CONTENT_LENGTH_HEADER,
  EXPIRES_QUERY_PARAM,
  HOST_HEADER,
  MAX_CLOCK_SKEW_MS,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  SHA256_HEADER,
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  TRAILER_HEADER,
  UNSIGNED_PAYLOAD,
} from "./constants.js";
import { canonicalRequest, type CanonicalOptions } from "./canonical.js";
import { queryParams } from "./parse.js";
import { computeSignature, stringToSign } from "./signing.js";
import { parseAmzDate } from "./time.js";
import { headerValue, wireBytes } from "./uri.js";

// ---------------------------------------------------------------------------------------------
// The payload hash: what the canonical request's last line is, and how the body is checked.

/** How the body of an aws-chunked request is framed and signed (s3-spec §6). */
export type StreamingMode =
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD: every chunk signed, no trailer. */
  | "signed"
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: every chunk signed, then signed trailers. */
  | "signed-trailer"
  /** STREAMING-UNSIGNED-PAYLOAD-TRAILER: plain chunks, then unsigned trailers. */
  | "unsigned-trailer";

/** What x-amz-content-sha256 (or a presigned URL) says about the body. */
export type S3Payload =
  /** A hex SHA-256 the body must hash to; `hash` as sent (compare case-insensitively). */
  | { kind: "sha256"; hash: string }
  /** UNSIGNED-PAYLOAD: the body is not covered by the signature. */
  | { kind: "unsigned" }
  /**
   * An aws-chunked body. `decodedContentLength`: x-amz-decoded-content-length when sent.
   * `trailerNames`: x-amz-trailer's names, lower case, for the -TRAILER modes (else empty).
   */
  | { kind: "streaming"; mode: StreamingMode; decodedContentLength: number | undefined; trailerNames: string[] };

export type S3PayloadError =
  /** Header form without x-amz-content-sha256. */
  | { kind: "missingContentSha256" }
  /** A value that is none of the accepted forms; `value` as sent. */
  | { kind: "invalidContentSha256"; value: string }
  /** x-amz-decoded-content-length on a streaming request that is not a decimal byte count. */
  | { kind: "invalidDecodedContentLength"; value: string };

export type S3PayloadResult =
  /** `payloadHash`: the canonical request's last line - the declared value exactly as sent. */
  | { ok: true; payloadHash: string; payload: S3Payload }
  | { ok: false; error: S3PayloadError };

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const DECIMAL = /^\d{1,16}$/;

const STREAMING_MODES: ReadonlyMap<string, StreamingMode> = new Map([
  [STREAMING_SIGNED_PAYLOAD, "signed"],
  [STREAMING_SIGNED_PAYLOAD_TRAILER, "signed-trailer"],
  [STREAMING_UNSIGNED_PAYLOAD_TRAILER, "unsigned-trailer"],
]);

/** A query parameter's decoded value, matching its name case-insensitively (SDKs differ in case). */
function queryParamCaseless(rawQuery: string, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of queryParams(rawQuery)) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * Read and check the payload hash of an S3 request (s3-spec §5.1, §5.2).
 *
 * Header form: x-amz-content-sha256 is required and must be a hex SHA-256, UNSIGNED-PAYLOAD or
 * one of the three STREAMING-… values (the SigV4a ECDSA ones are refused: this server has no
 * SigV4a). Query form (presigned URL): an X-Amz-Content-Sha256 query parameter if the signer
 * hoisted one there (the JS SDK does), else the header if sent, else UNSIGNED-PAYLOAD - as
 * MinIO reads it; AWS's own documentation only ever shows UNSIGNED-PAYLOAD.
 */
export function s3Payload(req: WireRequest, auth: SigV4Auth): S3PayloadResult {
  let declared: string | undefined;
  if (auth.form === "query") {
    declared = queryParamCaseless(req.rawQuery, CONTENT_SHA256_QUERY_PARAM) ?? headerValue(req, SHA256_HEADER) ?? UNSIGNED_PAYLOAD;
  } else {
    declared = headerValue(req, SHA256_HEADER);
    if (declared === undefined) return { ok: false, error: { kind: "missingContentSha256" } };
  }

  if (declared === UNSIGNED_PAYLOAD) return { ok: true, payloadHash: declared, payload: { kind: "unsigned" } };
  if (HEX_SHA256.test(declared)) return { ok: true, payloadHash: declared, payload: { kind: "sha256", hash: declared } };
  const mode = STREAMING_MODES.get(declared);
  if (mode === undefined) return { ok: false, error: { kind: "invalidContentSha256", value: declared } };

  const lengthText = headerValue(req, DECODED_CONTENT_LENGTH_HEADER);
  let decodedContentLength: number | undefined;
  if (lengthText !== undefined) {
    if (!DECIMAL.test(lengthText) || Number(lengthText) > Number.MAX_SAFE_INTEGER) {
      return { ok: false, error: { kind: "invalidDecodedContentLength", value: lengthText } };
    }
    decodedContentLength = Number(lengthText);
  }
  const trailerNames =
    mode === "signed"
      ? []
      : (headerValue(req, TRAILER_HEADER) ?? "")
          .split(",")
          .map((n) => n.trim().toLowerCase())
          .filter((n) => n !== "");
  return { ok: true, payloadHash: declared, payload: { kind: "streaming", mode, decodedContentLength, trailerNames } };
}

// ---------------------------------------------------------------------------------------------
// Canonical request and signature.

/** The CanonicalOptions of S3: path as sent, payload line as declared. */
export function s3CanonicalOptions(payloadHash: string): CanonicalOptions {
  return { normalizePath: false, doubleEncodePath: false, payloadHash };
}

/** The canonical request by S3's rules; `payloadHash` from s3Payload. */
export function s3CanonicalRequest(req: WireRequest, auth: SigV4Auth, payloadHash: string): string {
  return canonicalRequest(req, auth, s3CanonicalOptions(payloadHash));
}

/**
 * The elements of S3's SignatureDoesNotMatch (s3-spec §2.1, §2.3), in AWS's order:
 * AWSAccessKeyId, StringToSign, SignatureProvided, StringToSignBytes, CanonicalRequest,
 * CanonicalRequestBytes. Texts are wire strings (one character per byte); the caller
 * XML-escapes them. The byte lists are lower-case hex pairs joined by single spaces, as AWS
 * sends them ("41 57 53 34 2d 48 4d 41 43 …").
 */
export interface SignatureMismatchDetails {
  awsAccessKeyId: string;
  stringToSign: string;
  signatureProvided: string;
  stringToSignBytes: string;
  canonicalRequest: string;
  canonicalRequestBytes: string;
}

const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** "41 57 53 34": the bytes a wire string stands for, as S3 lists them. */
export function spacedHexBytes(text: string): string {
  const bytes = wireBytes(text);
  const out = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = HEX_PAIRS[bytes[i]!]!;
  return out.join(" ");
}

function mismatchDetails(auth: SigV4Auth, canonical: string, toSign: string): SignatureMismatchDetails {
  return {
    awsAccessKeyId: auth.accessKeyId,
    stringToSign: toSign,
    signatureProvided: auth.signature,
    stringToSignBytes: spacedHexBytes(toSign),
    canonicalRequest: canonical,
    canonicalRequestBytes: spacedHexBytes(canonical),
  };
}

/** What S3 would show for this request in a SignatureDoesNotMatch. */
export function s3SignatureMismatchDetails(req: WireRequest, auth: SigV4Auth, payloadHash: string): SignatureMismatchDetails {
  const canonical = s3CanonicalRequest(req, auth, payloadHash);
  return mismatchDetails(auth, canonical, stringToSign(auth, canonical));
}

export type S3SignatureResult =
  | { ok: true }
  | { ok: false; kind: "signatureDoesNotMatch"; details: SignatureMismatchDetails };

const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/;

/**
 * Did the holder of `secret` sign this request by S3's rules? Constant-time comparison.
 * A signature that is not 64 lower-case hex characters, or a request whose Host is not
 * signed, is a mismatch too (as verifySignature treats them).
 *
 * Only the signature: the body is checked against the payload hash as it streams (payload.ts,
 * chunked.ts); time (checkS3RequestTime / checkS3Presigned), unsigned x-amz-* headers
 * (s3UnsignedHeaders), scope date, region and key are the caller's other checks.
 */
export function verifyS3Signature(req: WireRequest, auth: SigV4Auth, secret: string, payloadHash: string): S3SignatureResult {
  const canonical = s3CanonicalRequest(req, auth, payloadHash);
  const toSign = stringToSign(auth, canonical);
  if (SIGNATURE_FORMAT.test(auth.signature) && auth.signedHeaders.includes(HOST_HEADER)) {
    const expected = Buffer.from(computeSignature(secret, auth, toSign), "hex");
    const given = Buffer.from(auth.signature, "hex");
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true };
  }
  return { ok: false, kind: "signatureDoesNotMatch", details: mismatchDetails(auth, canonical, toSign) };
}

/**
 * x-amz-* headers present but not signed, lower case, sorted, once each: S3 refuses them with
 * 403 AccessDenied "There were headers present in the request which were not signed" and
 * `<HeadersNotSigned>` = these names joined with ", " (s3-spec §2.3, §3.1; recorded for
 * presigned URLs). x-amz-content-sha256 is exempt: its value is the canonical request's last
 * line whether or not it is listed. Empty: nothing to refuse.
 */
export function s3UnsignedHeaders(req: WireRequest, auth: SigV4Auth): string[] {
  const signed = new Set(auth.signedHeaders);
  const unsigned = new Set<string>();
  for (const [name] of req.headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith("x-amz-") && lower !== SHA256_HEADER && !signed.has(lower)) unsigned.add(lower);
  }
  return [...unsigned].sort();
}

// ---------------------------------------------------------------------------------------------
// Time.

/** `2015-06-04T22:26:16Z`: how S3 writes ServerTime and Expires (ISO 8601, whole seconds). */
export function formatIsoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

export type S3TimeResult =
  | { ok: true }
  | {
      ok: false;
      kind: "requestTimeTooSkewed";
      /** The request's X-Amz-Date as sent (`20150604T232559Z`). */
      requestTime: string;
      /** Our time, `2015-06-04T22:26:16Z`. */
      serverTime: string;
      /** 900000. */
      maxAllowedSkewMilliseconds: number;
    };

/**
 * Header form: is X-Amz-Date within 15 minutes of `nowMs` (inclusive, as checkRequestTime)?
 * If not: the three elements of S3's 403 RequestTimeTooSkewed (s3-spec §2.3, §3.1).
 * A date parseSigV4 let through always parses; an unparsable one counts as skewed.
 */
export function checkS3RequestTime(auth: SigV4Auth, nowMs: number): S3TimeResult {
  const requestMs = parseAmzDate(auth.amzDate);
  const now = Math.floor(nowMs / 1000) * 1000;
  if (requestMs !== undefined && Math.abs(requestMs - now) <= MAX_CLOCK_SKEW_MS) return { ok: true };
  return {
    ok: false,
    kind: "requestTimeTooSkewed",
    requestTime: auth.amzDate,
    serverTime: formatIsoSeconds(now),
    maxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
  };
}

export type S3PresignResult =
  /** `expiresAt`: ms since the epoch after which the URL is refused. */
  | { ok: true; expiresSeconds: number; expiresAt: number }
  /** 400 AuthorizationQueryParametersError with `message` (s3-spec §3.1, §5.2). */
  | { ok: false; kind: "authorizationQueryParametersError"; message: string }
  /**
   * 403 AccessDenied "Request has expired", elements X-Amz-Expires (as sent), Expires,
   * ServerTime (`2018-03-29T11:17:34Z`), in that order (s3-spec §2.3).
   */
  | { ok: false; kind: "requestExpired"; xAmzExpires: string; expires: string; serverTime: string }
  /**
   * 403 AccessDenied "Request is not yet valid": X-Amz-Date more than 15 minutes ahead of us.
   * Elements X-Amz-Date, Expires, ServerTime. UNCONFIRMED: not in s3-spec; from an AWS reply
   * quoted in minio/minio#2638 (2016), where X-Amz-Date is printed as epoch milliseconds.
   */
  | { ok: false; kind: "requestNotYetValid"; xAmzDate: string; expires: string; serverTime: string };

const MISSING_QUERY_PARAMS =
  "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, " +
  "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

/**
 * Query form: X-Amz-Expires, then the URL's lifetime, in that order.
 *
 * - missing (or empty): the AuthorizationQueryParametersError text recorded from AWS (s3-spec §3.1);
 * - not a decimal integer: "X-Amz-Expires should be a number" (AWS's text as a minio-js user
 *   quotes it, minio/minio-js#1312; not in s3-spec);
 * - negative: "X-Amz-Expires must be non-negative" (MinIO's text; AWS's UNCONFIRMED);
 * - over 604800: "X-Amz-Expires must be less than a week (in seconds); that is, the given
 *   X-Amz-Expires must be less than 604800 seconds" (s3-spec §5.2 has it from MinIO; the same
 *   text is in an AWS reply quoted in bryanjos/aws_auth#31). 604800 itself is accepted;
 * - X-Amz-Date more than 15 minutes ahead: requestNotYetValid;
 * - now later than X-Amz-Date + X-Amz-Expires: requestExpired (0 expires once its second is over).
 *
 * The 15-minute window of the header form does not apply to presigned URLs.
 */
export function checkS3Presigned(req: WireRequest, auth: SigV4Auth, nowMs: number): S3PresignResult {
  const text = queryParams(req.rawQuery).get(EXPIRES_QUERY_PARAM);
  if (text === undefined || text === "") {
    return { ok: false, kind: "authorizationQueryParametersError", message: MISSING_QUERY_PARAMS };
  }
  if (/^-\d+$/.test(text)) {
    return { ok: false, kind: "authorizationQueryParametersError", message: "X-Amz-Expires must be non-negative" };
  }
  if (!/^\d+$/.test(text)) {
    return { ok: false, kind: "authorizationQueryParametersError", message: "X-Amz-Expires should be a number" };
  }
  const seconds = Number(text);
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    return {
      ok: false,
      kind: "authorizationQueryParametersError",
      message:
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
    };
  }

  const now = Math.floor(nowMs / 1000) * 1000;
  const requestMs = parseAmzDate(auth.amzDate);
  // parseSigV4 refuses a malformed X-Amz-Date; should one reach us, it is valid at no time.
  const dateMs = requestMs ?? Number.NEGATIVE_INFINITY;
  const expiresAt = dateMs + seconds * 1000;
  const expires = Number.isFinite(expiresAt) ? formatIsoSeconds(expiresAt) : "";
  if (dateMs > now + MAX_CLOCK_SKEW_MS) {
    return { ok: false, kind: "requestNotYetValid", xAmzDate: String(dateMs), expires, serverTime: formatIsoSeconds(now) };
  }
  if (now > expiresAt) {
    return { ok: false, kind: "requestExpired", xAmzExpires: text, expires, serverTime: formatIsoSeconds(now) };
  }
  return { ok: true, expiresSeconds: seconds, expiresAt };
}
