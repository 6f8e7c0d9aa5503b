import { timingSafeEqual } from "node:crypto";
import type { SigV4Auth, WireRequest } from "./types.js";
import { HOST_HEADER, UNSIGNED_PAYLOAD } from "./constants.js";
import { canonicalRequest, declaredPayloadHash, sha256Hex } from "./canonical.js";
import { computeSignature, stringToSign } from "./signing.js";
import type { CheckResult } from "./time.js";

const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/;

/**
 * Is Host among the signed headers? Without it a captured request could be replayed against
 * another endpoint, so AWS refuses such a request (a SignatureDoesNotMatch-class error).
 */
export function checkSignedHeaders(auth: SigV4Auth): CheckResult {
  if (auth.signedHeaders.includes(HOST_HEADER)) return { ok: true };
  // UNCONFIRMED for STS: AWS's current text as reproduced by scratchstack (older AWS captures
  // read "'Host' must be a 'SignedHeader' in the AWS Authorization.").
  return { ok: false, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
}

/**
 * Does a declared x-amz-content-sha256 describe the body actually received? The canonical
 * request signs the declared value, so without this check a client's signature would cover a
 * hash rather than the body, and the body could be swapped. "UNSIGNED-PAYLOAD" is accepted
 * only with an empty body: an STS request's parameters live in its body and must be signed.
 */
function declaredHashMatchesBody(req: WireRequest): boolean {
  const declared = declaredPayloadHash(req);
  if (declared === undefined) return true;
  if (declared === UNSIGNED_PAYLOAD) return req.body.length === 0;
  // Hex case is not significant in a hash; what was signed is the declared string itself.
  return declared.toLowerCase() === sha256Hex(req.body);
}

/**
 * Did the holder of `secret` sign exactly this request? Recomputes the signature from the
 * request's bytes and compares in constant time. Returns false (never throws) for a signature
 * that is not 64 lower-case hex characters, an unsigned Host header, or a declared payload
 * hash that is not the body's.
 *
 * This is only the cryptographic check; the caller also applies checkRequestTime,
 * checkScopeDate and its own region/service/key checks.
 */
export function verifySignature(req: WireRequest, auth: SigV4Auth, secret: string): boolean {
  if (!SIGNATURE_FORMAT.test(auth.signature)) return false;
  if (!checkSignedHeaders(auth).ok) return false;
  if (!declaredHashMatchesBody(req)) return false;
  const expected = Buffer.from(
    computeSignature(secret, auth, stringToSign(auth, canonicalRequest(req, auth))),
    "hex",
  );
  const given = Buffer.from(auth.signature, "hex");
  // Both are 32 bytes here (the format check above); timingSafeEqual requires equal lengths.
  return expected.length === given.length && timingSafeEqual(expected, given);
}
