/**
 * S3's errors: code, HTTP status, the wire message exactly as S3 sends it (s3-spec §3, which
 * differs from the descriptions in AWS's error table), and the error's own elements in the order
 * AWS sends them (§2.3). Texts not confirmed by a capture are marked UNCONFIRMED.
 */

export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Elements after Message, before RequestId/HostId, in AWS's order. */
    readonly extra: ReadonlyArray<readonly [string, string]> = [],
  ) {
    super(message);
    this.name = "S3Error";
  }
}

const SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

export const S3Errors = {
  // --- authentication (§3.1) ---
  accessDenied: () => new S3Error("AccessDenied", 403, "Access Denied"),
  invalidAccessKeyId: (accessKeyId: string) =>
    new S3Error("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.", [["AWSAccessKeyId", accessKeyId]]),
  invalidToken: (token: string) =>
    new S3Error("InvalidToken", 400, "The provided token is malformed or otherwise invalid.", [["Token-0", token]]),
  expiredToken: (token: string) => new S3Error("ExpiredToken", 400, "The provided token has expired.", [["Token-0", token]]),
  signatureDoesNotMatch: (details: ReadonlyArray<readonly [string, string]>) =>
    new S3Error("SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH, details),
  requestTimeTooSkewed: (requestTime: string, serverTime: string) =>
    new S3Error("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.", [
      ["RequestTime", requestTime],
      ["ServerTime", serverTime],
      ["MaxAllowedSkewMilliseconds", "900000"],
    ]),
  /** SigV2 (`Authorization: AWS key:sig`) is refused, as a v4-only region does. */
  sigV2NotSupported: () =>
    new S3Error("InvalidRequest", 400, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."),
  /** UNCONFIRMED: the credential-form text of §3.1, for any unreadable Authorization header. */
  authorizationHeaderMalformed: () =>
    new S3Error(
      "AuthorizationHeaderMalformed",
      400,
      'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    ),
  missingContentSha256: () => new S3Error("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256"),
  /** The 2016 wording (§3.1); the current one, listing the TRAILER values, is UNCONFIRMED. */
  invalidContentSha256: () =>
    new S3Error(
      "InvalidArgument",
      400,
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.",
      [["ArgumentName", "x-amz-content-sha256"]],
    ),
  contentSha256Mismatch: (client: string, computed: string) =>
    new S3Error("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", [
      ["ClientComputedContentSHA256", client],
      ["S3ComputedContentSHA256", computed],
    ]),

  // --- buckets (§3.2) ---
  noSuchBucket: (bucket: string) => new S3Error("NoSuchBucket", 404, "The specified bucket does not exist", [["BucketName", bucket]]),
  invalidBucketName: (bucket: string) => new S3Error("InvalidBucketName", 400, "The specified bucket is not valid.", [["BucketName", bucket]]),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new S3Error("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.", [
      ["BucketName", bucket],
    ]),
  bucketAlreadyExists: (bucket: string) =>
    new S3Error(
      "BucketAlreadyExists",
      409,
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
      [["BucketName", bucket]],
    ),
  bucketNotEmpty: (bucket: string) => new S3Error("BucketNotEmpty", 409, "The bucket you tried to delete is not empty", [["BucketName", bucket]]),
  invalidLocationConstraint: (constraint: string) =>
    new S3Error("InvalidLocationConstraint", 400, "The specified location-constraint is not valid", [["LocationConstraint", constraint]]),
  illegalLocationConstraint: (constraint: string | undefined) =>
    new S3Error(
      "IllegalLocationConstraintException",
      400,
      `The ${constraint ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    ),
  malformedXml: () =>
    new S3Error("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema"),
  invalidArgument: (message: string, name: string, value?: string) =>
    new S3Error("InvalidArgument", 400, message, value === undefined ? [["ArgumentName", name]] : [["ArgumentName", name], ["ArgumentValue", value]]),

  // --- objects (§3.2) ---
  noSuchKey: (key: string) => new S3Error("NoSuchKey", 404, "The specified key does not exist.", [["Key", key]]),
  /** UNCONFIRMED text (S3's error table: KeyTooLongError, 400). */
  keyTooLong: () => new S3Error("KeyTooLongError", 400, "Your key is too long"),
  invalidDigest: (contentMd5: string) => new S3Error("InvalidDigest", 400, "The Content-MD5 you specified was invalid.", [["Content-MD5", contentMd5]]),
  badDigest: (expectedHex: string, calculatedBase64: string) =>
    new S3Error("BadDigest", 400, "The Content-MD5 you specified did not match what we received.", [
      ["ExpectedDigest", expectedHex],
      ["CalculatedDigest", calculatedBase64],
    ]),
  checksumMismatch: (algorithm: string) => new S3Error("BadDigest", 400, `The ${algorithm} you specified did not match the calculated checksum.`),
  invalidChecksumHeader: (header: string) => new S3Error("InvalidRequest", 400, `Value for ${header} header is invalid.`),
  /** UNCONFIRMED for a single PUT over 5 GiB (recorded for POST policies). */
  entityTooLarge: (proposed: number, max: number) =>
    new S3Error("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size", [
      ["ProposedSize", String(proposed)],
      ["MaxSizeAllowed", String(max)],
    ]),
  invalidRange: (requested: string, size: number) =>
    new S3Error("InvalidRange", 416, "The requested range is not satisfiable", [
      ["RangeRequested", requested],
      ["ActualObjectSize", String(size)],
    ]),
  preconditionFailed: (condition: string) =>
    new S3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold", [["Condition", condition]]),
  invalidEncodingType: (value: string) =>
    new S3Error("InvalidArgument", 400, "Invalid Encoding Method specified in Request", [
      ["ArgumentName", "encoding-type"],
      ["ArgumentValue", value],
    ]),
  invalidContinuationToken: (token: string) =>
    new S3Error("InvalidArgument", 400, "The continuation token provided is incorrect", [
      ["ArgumentName", "continuation-token"],
      ["ArgumentValue", token],
    ]),

  // --- multipart (§3.2) ---
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      "NoSuchUpload",
      404,
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      [["UploadId", uploadId]],
    ),

  // --- the request itself: its bytes, its size, its pace ---
  /**
   * A body that stopped arriving for the idle period (the connection is then closed). UNCONFIRMED:
   * not in s3-spec; the text is AWS's as clients quote its replies (chilts/awssum-amazon-s3#7,
   * ember-cli-deploy/ember-cli-deploy-s3#108), the code and status from [M:s3 Error.Code].
   */
  requestTimeout: () =>
    new S3Error(
      "RequestTimeout",
      400,
      "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
    ),
  /** An XML request body over the limit. UNCONFIRMED: not in s3-spec; code, text and status from [M:s3 Error.Code]. */
  maxMessageLengthExceeded: () => new S3Error("MaxMessageLengthExceeded", 400, "Your request was too big."),
  /**
   * A request head larger than the server reads. UNCONFIRMED: not in s3-spec; as AWS answers it
   * (versity/versitygw#2180 quotes the reply), MaxSizeAllowed being this server's limit.
   */
  requestHeaderSectionTooLarge: (maxBytes: number) =>
    new S3Error("RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size.", [["MaxSizeAllowed", String(maxBytes)]]),
  /**
   * HTTP that does not parse (node refuses it before the app sees it). UNCONFIRMED: not in
   * s3-spec; AWS's reply as its users quote it (aristidb/aws#205, aws/aws-sdk-cpp#1559).
   */
  badRequest: () => new S3Error("BadRequest", 400, "An error occurred when parsing the HTTP request."),
  /** A body that ended before what its framing promised (s3-spec §3.2). */
  incompleteBody: () => new S3Error("IncompleteBody", 400, "The request body terminated unexpectedly"),
  /** x-amz-* headers outside SignedHeaders (s3-spec §2.3, §3.1), `names` lower case, sorted. */
  headersNotSigned: (names: readonly string[]) =>
    new S3Error("AccessDenied", 403, "There were headers present in the request which were not signed", [["HeadersNotSigned", names.join(", ")]]),

  // --- everything else ---
  /** What S3 answers for a feature it does not implement; used for every S3 API this server lacks. */
  notImplemented: () => new S3Error("NotImplemented", 501, "A header you provided implies functionality that is not implemented"),
  internalError: () => new S3Error("InternalError", 500, "We encountered an internal error. Please try again."),
  /**
   * S3's throttling answer (its error-code list: SlowDown, 503), given for a request signed with a
   * long-term key locked after too many bad signatures (issue 16; the lockout is this server's
   * own, so when S3 would say it is UNCONFIRMED). The SDKs retry it, and the retries are refused
   * without being counted.
   */
  slowDown: () => new S3Error("SlowDown", 503, "Please reduce your request rate."),
  /** UNCONFIRMED text for S3 (its model lists ServiceUnavailable / SlowDown 503). */
  serviceUnavailable: () => new S3Error("ServiceUnavailable", 503, "Please reduce your request rate."),
} as const;
