/**
 * SigV4 as S3 applies it (s3-spec §5): the path is signed exactly as sent (no normalisation, no
 * second encoding) and the payload line is the `x-amz-content-sha256` header — or
 * `UNSIGNED-PAYLOAD` for a presigned URL. The steps are sigv4/'s; only these parameters differ.
 * On a mismatch S3 shows what it signed (StringToSign, CanonicalRequest and their bytes), which
 * is what lets a client find its own mistake.
 */
import { timingSafeEqual } from "node:crypto";
import { canonicalRequest, computeSignature, headerValue, stringToSign } from "../sigv4/index.js";
import { UNSIGNED_PAYLOAD } from "../sigv4/constants.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";

/** The payload line S3 signs: the declared hash, or UNSIGNED-PAYLOAD for a presigned URL. */
export function s3PayloadLine(req: WireRequest, auth: SigV4Auth): string {
  return headerValue(req, "x-amz-content-sha256") ?? (auth.form === "query" ? UNSIGNED_PAYLOAD : "");
}

export function s3CanonicalRequest(req: WireRequest, auth: SigV4Auth): string {
  return canonicalRequest(req, auth, { normalizePath: false, doubleEncodePath: false, payloadHash: s3PayloadLine(req, auth) });
}

/** Did the holder of `secret` sign this request, by S3's rules? */
export function checkS3Signature(req: WireRequest, auth: SigV4Auth, secret: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(auth.signature) || !auth.signedHeaders.includes("host")) return false;
  const expected = Buffer.from(computeSignature(secret, auth, stringToSign(auth, s3CanonicalRequest(req, auth))), "hex");
  const given = Buffer.from(auth.signature, "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** "41 57 53 34 …": the bytes of a text as S3 lists them in SignatureDoesNotMatch. */
const spacedHex = (text: string): string => [...Buffer.from(text, "latin1")].map((b) => b.toString(16).padStart(2, "0")).join(" ");

/** SignatureDoesNotMatch's elements, in AWS's order (s3-spec §2.1). */
export function signatureMismatchDetails(req: WireRequest, auth: SigV4Auth): [string, string][] {
  const canonical = s3CanonicalRequest(req, auth);
  const toSign = stringToSign(auth, canonical);
  return [
    ["AWSAccessKeyId", auth.accessKeyId],
    ["StringToSign", toSign],
    ["SignatureProvided", auth.signature],
    ["StringToSignBytes", spacedHex(toSign)],
    ["CanonicalRequest", canonical],
    ["CanonicalRequestBytes", spacedHex(canonical)],
  ];
}
