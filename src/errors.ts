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
  /**
   * Spec §4.2 row 17: the code is in botocore's throttle list (so the SDKs and the aws CLI retry
   * it); the text UNCONFIRMED for STS and IAM. Answered during an attempt-limit lockout (issue 16),
   * which is this server's own: AWS throttles MFA guessing opaquely.
   */
  throttling: () => new AwsError("Throttling", 400, "Rate exceeded"),
  internalFailure: () =>
    new AwsError("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure.", "Receiver"),

  // --- authorization ---
  /**
   * IAM/STS denials in AWS's current form (iam-policy-spec §6.2). An explicit deny by a managed
   * policy names it, as AWS does since 2025; for an inline policy nothing follows (UNCONFIRMED).
   * Actions without a resource type leave out "on resource".
   */
  /**
   * The current sentence (IAM spec §6.2). Only one policy type is named; a session policy's
   * explicit deny is AWS's "sessions policy" (sic).
   */
  accessDenied: (
    principalArn: string,
    action: string,
    resource: string | null,
    decision: "implicitDeny" | "explicitDeny",
    denyingPolicyArn: string | null = null,
    policyType: "identity" | "session" = "identity",
  ) =>
    new AwsError(
      "AccessDenied",
      403,
      `User: ${principalArn} is not authorized to perform: ${action}` +
        (resource === null ? "" : ` on resource: ${resource}`) +
        (decision === "implicitDeny"
          ? ` because no ${policyType === "session" ? "session" : "identity-based"} policy allows the ${action} action`
          : ` with an explicit deny in ${policyType === "session" ? "a sessions" : "an identity-based"} policy${denyingPolicyArn === null ? "" : `: ${denyingPolicyArn}`}`),
    ),
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
  // --- AssumeRole (assume-role spec §3; row numbers there) ---
  /** Rows 1–3, 15: no trust, no permission, no such role, or not a role: one answer, RoleArn as sent. */
  assumeRoleDenied: (callerArn: string, roleArn: string, action = "sts:AssumeRole") =>
    new AwsError("AccessDenied", 403, `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`),
  /** Row 16 (the status is assumed). */
  rootCannotAssumeRoles: () => new AwsError("AccessDenied", 403, "Roles may not be assumed by root accounts."),
  /** Row 4 (recorded). */
  invalidRoleArn: (value: string) => new AwsError("ValidationError", 400, `${value} is invalid`),
  /** Row 10. */
  durationOverRoleMaximum: () =>
    new AwsError("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
  /** Row 11. */
  durationOverChainingLimit: () =>
    new AwsError("ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
  /** Rows 18–20 (recorded). */
  transitiveTagNotInTags: () =>
    new AwsError("InvalidParameterValue", 400, "The specified transitive tag key must be included in the requested tags."),
  duplicateSessionTagKeys: () =>
    new AwsError("InvalidParameterValue", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
  transitiveTagConflict: () =>
    new AwsError(
      "InvalidParameterValue",
      400,
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    ),
  /** Row 21: the one text seen (in CloudTrail, for tags); the wire text and the policy variant are UNCONFIRMED. */
  packedPolicyTooLarge: (percent: number, what: "session tags" | "session policy") =>
    new AwsError("PackedPolicyTooLarge", 400, `Packed size of ${what} consumes ${percent}% of allotted space.`),

  /** Row 4 and its GetFederationToken sibling; for other STS actions UNCONFIRMED (same pattern). */
  sessionCredentialsNotAllowed: (action: string) =>
    new AwsError("AccessDenied", 403, `Cannot call ${action} with session credentials`),

  // --- IAM MFA devices (recorded in iam__test_iam_mfa unless marked) ---
  /** Recorded for CreatePolicy/TagPolicy (iam__test_iam_policies); the same check for MFA device tags. */
  duplicateTagKeys: () => new AwsError("InvalidInput", 400, "Duplicate tag keys found."),
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
  /** Recorded (iam__test_iam_users): DeleteUser with inline policies; also DeleteGroup (UNCONFIRMED there). */
  mustDeletePolicies: () => new AwsError("DeleteConflict", 409, "Cannot delete entity, must delete policies first."),
  /** Recorded (iam__test_iam_users): DeleteUser with attached policies; DeleteGroup (spec §7.3). */
  mustDetachPolicies: () => new AwsError("DeleteConflict", 409, "Cannot delete entity, must detach all policies first."),
  invalidMarker: () => new AwsError("ValidationError", 400, "Invalid Marker."),
  /** Recorded (server-anchors §3): a per-user action without UserName, called by a role session. */
  userNameRequired: () => new AwsError("ValidationError", 400, "Must specify userName when calling with non-User credentials"),

  // --- groups and policies (iam-policy-spec §7.3; recorded unless marked) ---
  noSuchGroup: (groupName: string) => new AwsError("NoSuchEntity", 404, `The group with name ${groupName} cannot be found.`),
  groupExists: (groupName: string) => new AwsError("EntityAlreadyExists", 409, `Group with name ${groupName} already exists.`),
  /** UNCONFIRMED (spec §11.8): the text emulators agree on. */
  noSuchUserPolicy: (policyName: string) =>
    new AwsError("NoSuchEntity", 404, `The user policy with name ${policyName} cannot be found.`),
  noSuchGroupPolicy: (policyName: string) =>
    new AwsError("NoSuchEntity", 404, `The group policy with name ${policyName} cannot be found.`),
  /**
   * DeleteGroup with members, and DeleteUser for a member of groups: the same text for both, as
   * real AWS output quoted in public reports shows it (hashicorp/terraform#3774, #2818); no recording.
   */
  mustRemoveMembers: () => new AwsError("DeleteConflict", 409, "Cannot delete entity, must remove users from group first."),
  policyNotFound: (arn: string) => new AwsError("NoSuchEntity", 404, `Policy ${arn} was not found.`),
  policyNotAttachable: (arn: string) => new AwsError("NoSuchEntity", 404, `Policy ${arn} does not exist or is not attachable.`),
  noSuchPolicyVersion: (arn: string, versionId: string) =>
    new AwsError("NoSuchEntity", 404, `Policy ${arn} version ${versionId} does not exist or is not attachable.`),
  invalidArn: (value: string) => new AwsError("ValidationError", 400, `ARN ${value} is not valid.`),
  /** UNCONFIRMED: SimulatePrincipalPolicy on something that is not a user, group or role of the account. */
  invalidPolicySource: (arn: string) => new AwsError("InvalidInput", 400, `Invalid policy source ARN: ${arn}`),
  /** Recorded (assume-role spec §7.3). */
  noSuchRole: (roleName: string) => new AwsError("NoSuchEntity", 404, `The role with name ${roleName} cannot be found.`),
  policyExists: (policyName: string) =>
    new AwsError("EntityAlreadyExists", 409, `A policy called ${policyName} already exists. Duplicate names are not allowed.`),
  policyVersionLimit: () =>
    new AwsError(
      "LimitExceeded",
      409,
      "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    ),
  deleteDefaultVersion: () => new AwsError("DeleteConflict", 409, "Cannot delete the default version of a policy."),
  policyAttached: () => new AwsError("DeleteConflict", 409, "Cannot delete a policy attached to entities."),
  policyHasVersions: () =>
    new AwsError(
      "DeleteConflict",
      409,
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    ),
  malformedPolicyDocument: (message: string) => new AwsError("MalformedPolicyDocument", 400, message),
  /** As seen in CLI and CloudFormation reports (no final period); the group form from one source. */
  inlinePolicySize: (kind: "user" | "group" | "role", limit: number, ownerName: string) =>
    new AwsError("LimitExceeded", 409, `Maximum policy size of ${limit} bytes exceeded for ${kind} ${ownerName}`),
  managedPolicySize: (limit: number) => new AwsError("LimitExceeded", 409, `Cannot exceed quota for PolicySize: ${limit}`),
  /** PoliciesPerRole as CloudFormation reports it (aws/eks-hybrid#741: "Cannot exceed quota for PoliciesPerRole: 10", 409). */
  attachedPoliciesQuota: (kind: "user" | "group" | "role", limit: number) =>
    new AwsError("LimitExceeded", 409, `Cannot exceed quota for ${{ user: "PoliciesPerUser", group: "PoliciesPerGroup", role: "PoliciesPerRole" }[kind]}: ${limit}`),
  /** UNCONFIRMED (spec §11.8): whether a period follows. */
  groupsPerUserQuota: (limit: number) => new AwsError("LimitExceeded", 409, `Cannot exceed quota for GroupsPerUser: ${limit}`),
  /** Recorded (iam__test_iam_managed_policies): changing an AWS managed policy. */
  awsPolicyDelete: () => new AwsError("AccessDenied", 403, "Cannot delete policies outside your own account."),
  awsPolicyVersionDelete: () => new AwsError("AccessDenied", 403, "Cannot delete policy versions for policies outside your own account."),
  awsPolicyUpdate: () => new AwsError("AccessDenied", 403, "Cannot update policies outside your own account."),
  // --- roles (assume-role spec §7.3; recorded unless marked) ---
  roleExists: (roleName: string) => new AwsError("EntityAlreadyExists", 409, `Role with name ${roleName} already exists.`),
  noSuchRolePolicy: (policyName: string) =>
    new AwsError("NoSuchEntity", 404, `The role policy with name ${policyName} cannot be found.`),
  /** A trust policy naming a user or role that does not exist (spec §4.2). */
  invalidTrustPrincipal: (arn: string) => new AwsError("MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"${arn}"`),
  /** A trust policy over 2,048 characters (white space not counted), as field reports quote it (kubeflow/kubeflow#6687, 409). */
  trustPolicySize: (limit: number) => new AwsError("LimitExceeded", 409, `Cannot exceed quota for ACLSizePerRole: ${limit}`),
  /** Role tag keys compare without case, and the text says so (test_role_tag_errors). */
  duplicateRoleTagKeys: () =>
    new AwsError("InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
  /** UNCONFIRMED: TagRole past 50 tags on the role; the text follows the other "Cannot exceed quota for" answers. */
  roleTagsQuota: (limit: number) => new AwsError("LimitExceeded", 409, `Cannot exceed quota for TagsPerRole: ${limit}`),
  /** Not AWS's: this server does not support permissions boundaries, and says so rather than store one it would not enforce. */
  permissionsBoundaryUnsupported: () =>
    new AwsError("InvalidInput", 400, "Permissions boundaries are not supported by this server (mfa-sts)."),
  invalidPath: () =>
    new AwsError(
      "ValidationError",
      400,
      "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    ),
} as const;
