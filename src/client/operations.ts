/**
 * The STS operations the client speaks, as much of the botocore model as the aws CLI uses:
 * input members (CLI option, type, minimum — botocore checks only minimums and types, spec §2.4),
 * output members in model order (which the printed output follows), and the skeleton texts.
 */

export interface InputMember {
  /** Wire and JSON name, e.g. DurationSeconds */
  name: string;
  /** CLI option, e.g. --duration-seconds */
  option: string;
  type: "integer" | "string";
  /** integer: min value; string: min length */
  min: number;
  /** First sentence of the model's documentation, for the yaml-input skeleton. */
  doc: string;
}

export type OutputShape = "string" | "integer" | "timestamp" | { readonly [member: string]: OutputShape };

export interface StsOperation {
  name: "GetSessionToken" | "GetCallerIdentity" | "AssumeRole";
  /** The command, e.g. get-session-token */
  command: string;
  input: readonly InputMember[];
  output: { readonly [member: string]: OutputShape };
  /** What `--generate-cli-skeleton output` fails with (spec §8.6): the stub violates a minimum. */
  outputSkeletonError: string;
}

export const GET_SESSION_TOKEN: StsOperation = {
  name: "GetSessionToken",
  command: "get-session-token",
  input: [
    {
      name: "DurationSeconds",
      option: "--duration-seconds",
      type: "integer",
      min: 900,
      doc: "The duration, in seconds, that the credentials should remain valid.",
    },
    {
      name: "SerialNumber",
      option: "--serial-number",
      type: "string",
      min: 9,
      doc: "The identification number of the MFA device that is associated with the IAM user who is making the GetSessionToken call.",
    },
    {
      name: "TokenCode",
      option: "--token-code",
      type: "string",
      min: 6,
      doc: "The value provided by the MFA device, if MFA is required.",
    },
  ],
  output: { Credentials: { AccessKeyId: "string", SecretAccessKey: "string", SessionToken: "string", Expiration: "timestamp" } },
  outputSkeletonError: "Invalid length for parameter Credentials.AccessKeyId, value: 11, valid min length: 16",
};

export const GET_CALLER_IDENTITY: StsOperation = {
  name: "GetCallerIdentity",
  command: "get-caller-identity",
  input: [],
  output: { UserId: "string", Account: "string", Arn: "string" },
  outputSkeletonError: "Invalid length for parameter Arn, value: 3, valid min length: 20",
};

/**
 * AssumeRole as role profiles send it (spec §1.2, §8.1): the members a profile can set, with
 * botocore's minimums. Expiration stays the wire text: the aws CLI v1 writes it so into its
 * role-credential cache, and both CLIs read it back (spec §8.1).
 */
export const ASSUME_ROLE: StsOperation = {
  name: "AssumeRole",
  command: "assume-role",
  input: [
    { name: "RoleArn", option: "--role-arn", type: "string", min: 20, doc: "The Amazon Resource Name (ARN) of the role to assume." },
    { name: "RoleSessionName", option: "--role-session-name", type: "string", min: 2, doc: "An identifier for the assumed role session." },
    { name: "DurationSeconds", option: "--duration-seconds", type: "integer", min: 900, doc: "The duration, in seconds, of the role session." },
    { name: "ExternalId", option: "--external-id", type: "string", min: 2, doc: "A unique identifier that might be required when you assume a role in another account." },
    { name: "SerialNumber", option: "--serial-number", type: "string", min: 9, doc: "The identification number of the MFA device that is associated with the user who is making the AssumeRole call." },
    { name: "TokenCode", option: "--token-code", type: "string", min: 6, doc: "The value provided by the MFA device, if the trust policy of the role being assumed requires MFA." },
  ],
  output: {
    Credentials: { AccessKeyId: "string", SecretAccessKey: "string", SessionToken: "string", Expiration: "string" },
    AssumedRoleUser: { AssumedRoleId: "string", Arn: "string" },
    PackedPolicySize: "integer",
    SourceIdentity: "string",
  },
  outputSkeletonError: "Invalid length for parameter Credentials.AccessKeyId, value: 11, valid min length: 16",
};
