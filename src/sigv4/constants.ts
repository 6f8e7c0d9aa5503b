/**
 * Wire strings of AWS Signature Version 4, in one place so that every step spells them the
 * same way. Header names are lower case because we always compare header names after
 * lower-casing them (HTTP header names are case-insensitive); query parameter names keep
 * AWS's spelling because query parameter names are case-sensitive.
 */

/** The only algorithm we verify; SigV4a (ECDSA) and SigV2 are not supported by this server. */
export const ALGORITHM = "AWS4-HMAC-SHA256";

/** Last element of every credential scope, and the last HMAC step of the signing key. */
export const KEY_TYPE_IDENTIFIER = "aws4_request";

// Headers (lower case).
export const AUTHORIZATION_HEADER = "authorization";
export const AMZ_DATE_HEADER = "x-amz-date";
export const DATE_HEADER = "date";
export const TOKEN_HEADER = "x-amz-security-token";
export const SHA256_HEADER = "x-amz-content-sha256";
export const HOST_HEADER = "host";

// Presigned-URL query parameters (case-sensitive, as AWS spells them).
export const ALGORITHM_QUERY_PARAM = "X-Amz-Algorithm";
export const CREDENTIAL_QUERY_PARAM = "X-Amz-Credential";
export const AMZ_DATE_QUERY_PARAM = "X-Amz-Date";
export const SIGNED_HEADERS_QUERY_PARAM = "X-Amz-SignedHeaders";
export const SIGNATURE_QUERY_PARAM = "X-Amz-Signature";
export const TOKEN_QUERY_PARAM = "X-Amz-Security-Token";

// Authorization header components.
export const CREDENTIAL_COMPONENT = "Credential";
export const SIGNED_HEADERS_COMPONENT = "SignedHeaders";
export const SIGNATURE_COMPONENT = "Signature";

/** Payload hash a client may declare (in x-amz-content-sha256) instead of hashing the body. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** How far X-Amz-Date may be from our clock, either way (AWS: 15 minutes, inclusive). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * Signing keys cached (one per key id/day/region/service): as many as the opened session tokens
 * (tokens/token-keys.ts), so that every active session keeps its key. At 256, a thousand active
 * sessions derived a key (four HMACs) on nearly every request: 2.5× the time of a hit. The bound
 * (about 2 MB) keeps a flood of distinct credential scopes from growing memory.
 */
export const SIGNING_KEY_CACHE_SIZE = 10_000;

// ---------------------------------------------------------------------------------------------
// S3's flavour of SigV4 (s3-spec §5-6).

/** The empty string's SHA-256: every chunk string-to-sign carries it (s3-spec §6.1). */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** x-amz-content-sha256 values announcing an aws-chunked body (s3-spec §5.1, §6). */
export const STREAMING_SIGNED_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** First line of a chunk's string to sign, and of the trailer's (s3-spec §6.1, §6.2). */
export const CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
export const TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";

/** The chunk extension that carries a chunk's signature: `<hex size>;chunk-signature=<sig>`. */
export const CHUNK_SIGNATURE_EXTENSION = ";chunk-signature=";
/** The trailer line that carries the trailer signature (lower case, as sent). */
export const TRAILER_SIGNATURE_NAME = "x-amz-trailer-signature";

export const DECODED_CONTENT_LENGTH_HEADER = "x-amz-decoded-content-length";
export const TRAILER_HEADER = "x-amz-trailer";

/** A presigned URL's lifetime in seconds, and where a presigned URL may declare its payload hash. */
export const EXPIRES_QUERY_PARAM = "X-Amz-Expires";
export const CONTENT_SHA256_QUERY_PARAM = "X-Amz-Content-Sha256";
/** Longest X-Amz-Expires S3 accepts: one week (s3-spec §5.2). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;

/** S3: every chunk but the last carries at least this many bytes (s3-spec §6.1). */
export const MIN_CHUNK_SIZE = 8192;
