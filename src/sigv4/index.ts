/** Server-side AWS Signature Version 4 verification: pure functions, no I/O, no clock reads. */
export type { SigV4Auth, WireRequest } from "./types.js";
export { parseSigV4 } from "./parse.js";
export type { ParseErrorCode, ParseResult } from "./parse.js";
export {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  payloadHash,
  removeDotSegments,
  sha256Hex,
  trimAll,
} from "./canonical.js";
export type { CanonicalOptions } from "./canonical.js";
export { computeSignature, credentialScope, signingKey, stringToSign } from "./signing.js";
export { checkSignedHeaders, verifySignature } from "./verify.js";
export { headerValue } from "./uri.js";
export { checkRequestTime, checkScopeDate, formatAmzDate, parseAmzDate } from "./time.js";
export type { CheckResult } from "./time.js";
