/**
 * A few of AWS's own managed policies (`arn:aws:iam::aws:policy/…`), as AWS serves them: the
 * real policy ids, paths, descriptions, default version ids, dates and default-version documents.
 * They exist in every account, cannot be changed or deleted, and can be attached.
 *
 * Only policies whose documents are small (< 2 KB) and could be sourced exactly are included.
 *
 * Sources (data are AWS's facts, transcribed; snapshot as of 2026-08-22):
 *  - PolicyId, Path, CreateDate, and UpdateDate of the unchanged policies: z0ph/MAMIP
 *    `policies-list.json` (aws iam list-policies output), commit db4f93167455 (2024-12-05), as of
 *    master de4971a44b36 (2025-02-22).
 *  - Default version ids and UpdateDate of the newest versions: iann0036/iam-dataset
 *    `aws/managedpolicies/<Name>.json` (regenerated daily from MAMIP), main 2073fa52ac00
 *    (2026-08-22). IAMUserChangePassword became v4 on 2026-02-11 and v5 on 2026-02-12T17:58:57Z.
 *  - Document key order (AWS's: Version, Statement; Effect, Action, Resource): z0ph/MAMIP
 *    `policies/<Name>` at 1b36617981d5 (2024-05-13, before MAMIP began re-ordering keys), cross-checked
 *    with the AWS Managed Policy Reference Guide
 *    (docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html); document contents
 *    cross-checked with iam-dataset's 2026-08-22 copies.
 *  - Descriptions: the AWS Managed Policy Reference Guide; AdministratorAccess's and
 *    AmazonS3FullAccess's from recorded `aws iam get-policy` output and generated AWS policy lists.
 */

export interface AwsManagedPolicy {
  readonly policyName: string;
  /** The real ANPA… id. */
  readonly policyId: string;
  /** "/" or e.g. "/job-function/". */
  readonly path: string;
  /** arn:aws:iam::aws:policy{path}{name} */
  readonly arn: string;
  readonly description: string;
  /** The current default, e.g. "v4". */
  readonly defaultVersionId: string;
  readonly createDate: Date;
  /** When the default version was created. */
  readonly updateDate: Date;
  /** The default version's document: compact JSON, keys in AWS's order. */
  readonly document: string;
}

interface Source {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly description: string;
  readonly version: string;
  readonly created: string;
  readonly updated: string;
  /** AWS's document; its key order is kept by JSON.stringify. */
  readonly document: unknown;
}

const SOURCES: readonly Source[] = [
  {
    name: "AdministratorAccess",
    id: "ANPAIWMBCKSKIEE64ZLYK",
    path: "/",
    description: "Provides full access to AWS services and resources.",
    version: "v1",
    created: "2015-02-06T18:39:46Z",
    updated: "2015-02-06T18:39:46Z",
    document: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    },
  },
  {
    name: "AmazonS3FullAccess",
    id: "ANPAIFIR6V6BVTRAHWINE",
    path: "/",
    description: "Provides full access to all buckets via the AWS Management Console.",
    version: "v2",
    created: "2015-02-06T18:40:58Z",
    updated: "2021-09-27T20:16:37Z",
    document: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" }],
    },
  },
  {
    name: "AmazonS3ReadOnlyAccess",
    id: "ANPAIZTJ4DXE7G6AGAE6M",
    path: "/",
    description: "Provides read only access to all buckets via the AWS Management Console.",
    version: "v3",
    created: "2015-02-06T18:40:59Z",
    updated: "2023-08-10T21:31:39Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"],
          Resource: "*",
        },
      ],
    },
  },
  {
    name: "IAMFullAccess",
    id: "ANPAI7XKCFMBPM3QQRRVQ",
    path: "/",
    description: "Provides full access to IAM via the AWS Management Console.",
    version: "v2",
    created: "2015-02-06T18:40:38Z",
    updated: "2019-06-21T19:40:00Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
          ],
          Resource: "*",
        },
      ],
    },
  },
  {
    name: "IAMReadOnlyAccess",
    id: "ANPAJKSO7NDY4T57MWDSQ",
    path: "/",
    description: "Provides read only access to IAM via the AWS Management Console.",
    version: "v4",
    created: "2015-02-06T18:40:39Z",
    updated: "2018-01-25T19:11:27Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:GenerateCredentialReport",
            "iam:GenerateServiceLastAccessedDetails",
            "iam:Get*",
            "iam:List*",
            "iam:SimulateCustomPolicy",
            "iam:SimulatePrincipalPolicy",
          ],
          Resource: "*",
        },
      ],
    },
  },
  {
    name: "IAMSelfManageServiceSpecificCredentials",
    id: "ANPAI4VT74EMXK2PMQJM2",
    path: "/",
    description: "Allows an IAM user to manage their own Service Specific Credentials.",
    version: "v1",
    created: "2016-12-22T17:25:18Z",
    updated: "2016-12-22T17:25:18Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:CreateServiceSpecificCredential",
            "iam:ListServiceSpecificCredentials",
            "iam:UpdateServiceSpecificCredential",
            "iam:DeleteServiceSpecificCredential",
            "iam:ResetServiceSpecificCredential",
          ],
          Resource: "arn:aws:iam::*:user/${aws:username}",
        },
      ],
    },
  },
  {
    name: "IAMUserChangePassword",
    id: "ANPAJ4L4MM2A7QIEB56MS",
    path: "/",
    description: "Provides the ability for an IAM user to change their own password.",
    version: "v5",
    created: "2016-11-15T00:25:16Z",
    updated: "2026-02-12T17:58:57Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["iam:ChangePassword"],
          Resource: ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"],
        },
        { Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy"], Resource: "*" },
      ],
    },
  },
  {
    name: "IAMUserSSHKeys",
    id: "ANPAJTSHUA4UXGXU7ANUA",
    path: "/",
    description: "Provides the ability for an IAM user to manage their own SSH keys.",
    version: "v1",
    created: "2015-07-09T17:08:54Z",
    updated: "2015-07-09T17:08:54Z",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:DeleteSSHPublicKey",
            "iam:GetSSHPublicKey",
            "iam:ListSSHPublicKeys",
            "iam:UpdateSSHPublicKey",
            "iam:UploadSSHPublicKey",
          ],
          Resource: "arn:aws:iam::*:user/${aws:username}",
        },
      ],
    },
  },
];

const toPolicy = (s: Source): AwsManagedPolicy =>
  Object.freeze({
    policyName: s.name,
    policyId: s.id,
    path: s.path,
    arn: `arn:aws:iam::aws:policy${s.path}${s.name}`,
    description: s.description,
    defaultVersionId: s.version,
    createDate: new Date(s.created),
    updateDate: new Date(s.updated),
    document: JSON.stringify(s.document),
  });

/** Sorted by policyName. */
export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = Object.freeze(
  SOURCES.map(toPolicy).sort((a, b) => (a.policyName < b.policyName ? -1 : a.policyName > b.policyName ? 1 : 0)),
);

const BY_ARN: ReadonlyMap<string, AwsManagedPolicy> = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

/** The AWS managed policy with this ARN, if this emulator knows it. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

/** Whether the ARN is in AWS's own policy namespace (known here or not). */
export const isAwsManagedArn = (arn: string): boolean => arn.startsWith("arn:aws:iam::aws:policy/");
