/**
 * The one error parsePolicy throws. Its message is AWS's MalformedPolicyDocument text, byte for
 * byte (spec §1.1), so the IAM layer can wrap it in its own error envelope (HTTP 400, Sender,
 * code MalformedPolicyDocument) without knowing why the document failed.
 */
export class PolicyParseError extends Error {
  override readonly name = "PolicyParseError";
}

/** AWS's texts, as recorded (spec §1.1; note the missing final periods where AWS omits them). */
export const MESSAGES = {
  syntax: "Syntax errors in policy.",
  version: "Policy document must be version 2012-10-17 or greater.",
  legacy: "The policy failed legacy parsing",
  principal: "Policy document should not specify a principal.",
  sidUnique: "Statement IDs (SID) in a single policy must be unique.",
  noActions: "Policy statement must contain actions.",
  noResources: "Policy statement must contain resources.",
  actionVendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  actionColon: "Actions/Condition can contain only one colon.",
  badVendor: (vendor: string): string => `Vendor ${vendor} is not valid`,
  notArn: (resource: string): string => `Resource ${resource} must be in ARN format or "*".`,
  partition: (partition: string, padded: string): string => `Partition "${partition}" is not valid for resource "${padded}".`,
  resourceVendor: "Resource vendor must be fully qualified and cannot contain regexes.",
  iamRegion: (resource: string): string => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string): string => `Resource ${resource} can not contain region information.`,
  iamPath:
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
} as const;

/**
 * Trust-policy texts (AssumeRolePolicyDocument; assume-role-spec §7.3). The general grammar
 * errors (Syntax errors in policy., legacy parsing, Sid, missing actions) are shared above.
 */
export const TRUST_MESSAGES = {
  invalidJson: "This policy contains invalid Json",
  noPrincipals: "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
  /** Recorded for Resource; NotResource and NotPrincipal follow its pattern, UNCONFIRMED. */
  prohibitedField: (field: string): string => `Has prohibited field ${field}`,
  actions: "AssumeRole policy may only specify STS AssumeRole actions.",
  /** `"Principal": "*"` in a trust policy: CreateRole's text as quoted by aws-cdk (issue #5732, and the test in packages/aws-iam). */
  star: 'AssumeRolepolicy contained an invalid principal: "STAR":"*".',
} as const;
