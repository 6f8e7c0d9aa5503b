/**
 * The error catalogue: every AWS error this server answers with, with its code, HTTP status,
 * fault type and message exactly as AWS sends it. Texts come from
 * ../shared/reference/aws-sts-spec.md (§4) and ../shared/vectors/aws-recordings/. Where AWS's
 * exact text is unknown the message follows AWS's pattern and is marked UNCONFIRMED.
 */

export type Fault = "Sender" | "Receiver";

/** One base error with a stable AWS code; everything the protocol layer turns into an envelope. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fault: Fault = "Sender",
  ) {
    super(message);
    this.name = "AwsError";
  }
}

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

export const Errors = {
  // --- authentication (spec §4.2) ---
  missingAuthenticationToken: () =>
    new AwsError("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
  /** Unknown or inactive access key id (with the period: spec §4.2 row 5). */
  invalidAccessKeyId: () =>
    new AwsError("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
  /** A session token that does not open or does not belong to the key (no period: row 6). */
  invalidSessionToken: () =>
    new AwsError("InvalidClientTokenId", 403, "The security token included in the request is invalid"),
  expiredToken: () => new AwsError("ExpiredToken", 403, "The security token included in the request is expired"),
  signatureDoesNotMatch: (message: string = SIGNATURE_MISMATCH) =>
    new AwsError("SignatureDoesNotMatch", 403, message),
  incompleteSignature: (message: string) => new AwsError("IncompleteSignature", 400, message),
  /** UNCONFIRMED wording for STS/IAM: the pattern seen for another service (spec §4.2 row 12). */
  wrongScopeService: (service: string) =>
    new AwsError("SignatureDoesNotMatch", 403, `Credential should be scoped to correct service: '${service}'. `),

  // --- protocol (spec §4.2 row 18; texts UNCONFIRMED for STS/IAM) ---
  /** UNCONFIRMED: Coral's text for an operation the service does not have. */
  invalidAction: (action: string, version: string) =>
    new AwsError("InvalidAction", 400, `Could not find operation ${action} for version ${version}`),
  /** UNCONFIRMED: the generic text from AWS's Common Errors page. */
  missingAction: () => new AwsError("MissingAction", 400, "The request is missing an action or a required parameter."),
  /** UNCONFIRMED: Common Errors lists MalformedQueryString with HTTP 404. */
  malformedQueryString: () => new AwsError("MalformedQueryString", 404, "The query string contains a syntax error."),
  /** UNCONFIRMED: Common Errors text; used for a parameter sent twice. */
  invalidQueryParameter: () =>
    new AwsError("InvalidQueryParameter", 400, "The AWS query string is malformed or does not adhere to AWS standards."),
  /** UNCONFIRMED: AWS's front end answers an oversized body with 413 before the service sees it. */
  requestTooLarge: (limit: number) =>
    new AwsError("RequestEntityTooLarge", 413, `Request body must be no larger than ${limit} bytes.`),
  /** UNCONFIRMED (spec §10.2): AWS's answer to a request without Version. */
  missingVersion: () => new AwsError("MissingParameter", 400, "The request must contain the parameter Version"),
  validation: (messages: readonly string[]) =>
    new AwsError(
      "ValidationError",
      400,
      `${messages.length} validation error${messages.length === 1 ? "" : "s"} detected: ${messages.join("; ")}`,
    ),
  /** Common Errors: ServiceUnavailable 503 (text UNCONFIRMED for STS/IAM). */
  serviceUnavailable: () =>
    new AwsError("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server.", "Receiver"),
  internalFailure: () =>
    new AwsError("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure.", "Receiver"),

  // --- authorization ---
  /** The text for IAM actions refused to principals without policies. */
  notAuthorized: (principalArn: string, action: string, resource: string) =>
    new AwsError("AccessDenied", 403, `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`),
  /** Recorded (iam__test_iam_users): no colon after "perform", resource "access key ID". */
  accessKeyLastUsedDenied: (principalArn: string, accessKeyId: string) =>
    new AwsError(
      "AccessDenied",
      403,
      `User: ${principalArn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`,
    ),

  // --- GetSessionToken MFA (spec §4.2 rows 1–4) ---
  /** Row 1: a wrong code, or one already used. The trailing space is AWS's. */
  mfaInvalidCode: () => new AwsError("AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. "),
  /** Row 2: the serial is not an MFA device of the caller. Two spaces after "code." are AWS's. */
  mfaNotAssociated: () =>
    new AwsError(
      "AccessDenied",
      403,
      "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
    ),
  /** Row 3, UNCONFIRMED (text from the issue; not found in any capture). */
  mfaIncomplete: () =>
    new AwsError("AccessDenied", 403, "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."),
  /** Row 4 and its GetFederationToken sibling; for other STS actions UNCONFIRMED (same pattern). */
  sessionCredentialsNotAllowed: (action: string) =>
    new AwsError("AccessDenied", 403, `Cannot call ${action} with session credentials`),

  // --- IAM MFA devices (recorded in iam__test_iam_mfa unless marked) ---
  /** UNCONFIRMED for IAM: STS's recorded text (sts__test_sts), with IAM's InvalidInput code. */
  duplicateTagKeys: () =>
    new AwsError("InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
  mfaDeviceExists: () => new AwsError("EntityAlreadyExists", 409, "MFA device already exists."),
  mfaDeviceInUse: () => new AwsError("EntityAlreadyExists", 409, "MFA Device is already in use."),
  noSuchMfaDevice: (serialNumber: string) =>
    new AwsError("NoSuchEntity", 404, `MFA Device with serial number ${serialNumber} does not exist.`),
  /** UNCONFIRMED text (spec §7.3: not found); code and status from the IAM model. */
  invalidAuthenticationCode: () =>
    new AwsError("InvalidAuthenticationCode", 403, "Authentication code for device is not valid."),
  /** UNCONFIRMED: follows the recorded access-key quota text; eight devices per user (spec §7.2). */
  mfaDeviceQuota: () => new AwsError("LimitExceeded", 409, "Cannot exceed quota for MFADevicesPerUser: 8"),
  /** UNCONFIRMED: DeleteVirtualMFADevice on a device still enabled for a user. */
  mfaDeviceStillAssigned: () =>
    new AwsError("DeleteConflict", 409, "Cannot delete entity, must deactivate MFA device first."),

  // --- IAM entities (recorded in aws-recordings) ---
  noSuchUser: (userName: string) => new AwsError("NoSuchEntity", 404, `The user with name ${userName} cannot be found.`),
  userExists: (userName: string) => new AwsError("EntityAlreadyExists", 409, `User with name ${userName} already exists.`),
  /** UNCONFIRMED: the model lists "Expired" as a status, but only AWS itself expires keys. */
  cannotSetExpired: () => new AwsError("InvalidInput", 400, "Status Expired cannot be set by a caller."),
  noSuchAccessKey: (accessKeyId: string) =>
    new AwsError("NoSuchEntity", 404, `The Access Key with id ${accessKeyId} cannot be found.`),
  accessKeyQuota: () => new AwsError("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2"),
  /** UNCONFIRMED: follows the recorded "Cannot delete entity, must delete policies first." */
  deleteConflict: (what: "access keys" | "MFA device") =>
    new AwsError("DeleteConflict", 409, `Cannot delete entity, must delete ${what} first.`),
  invalidMarker: () => new AwsError("ValidationError", 400, "Invalid Marker."),
  invalidPath: () =>
    new AwsError(
      "ValidationError",
      400,
      "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    ),
} as const;
