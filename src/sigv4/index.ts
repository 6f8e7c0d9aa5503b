/** Server-side AWS Signature Version 4 verification: pure functions, no I/O, no clock reads. */
export type { SigV4Auth, WireRequest } from "./types.js";
export { parseSigV4, queryParams } from "./parse.js";
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

// S3's flavour (s3-spec §5-6).
export {
  checkS3Presigned,
  checkS3RequestTime,
  formatIsoSeconds,
  s3CanonicalOptions,
  s3CanonicalRequest,
  s3Payload,
  s3SignatureMismatchDetails,
  s3UnsignedHeaders,
  spacedHexBytes,
  verifyS3Signature,
} from "./s3.js";
export type {
  S3Payload,
  S3PayloadError,
  S3PayloadResult,
  S3PresignResult,
  S3SignatureResult,
  S3TimeResult,
  SignatureMismatchDetails,
  StreamingMode,
} from "./s3.js";
export { ContentSha256Checker, s3PayloadReader, UnsignedPayloadReader } from "./payload.js";
export type {
  PayloadError,
  PayloadReader,
  PayloadResult,
  S3PayloadReaderOptions,
  Trailer,
  VerifiedChecksum,
} from "./payload.js";
export { AwsChunkedDecoder } from "./chunked.js";
export type { AwsChunkedError, AwsChunkedOptions } from "./chunked.js";
export {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumBase64,
  checksumHeaderName,
  createChecksum,
  isValidChecksumValue,
} from "./checksums.js";
export type { Checksum, ChecksumAlgorithm } from "./checksums.js";
