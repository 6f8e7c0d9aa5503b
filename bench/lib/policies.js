// The policies of the `policy` section (issue 12): customer managed policies of the kind real
// accounts carry, each of `statements` statements, written so that GetUser on the user itself
// (no UserName, the user's long-term key, over plain HTTP from 127.0.0.1) is allowed and no
// Deny applies. Nothing stops an evaluation early then: every statement that names the action
// must have its resource and conditions looked at, and the decision comes only after the last.
//
// Per policy, 13 of the 20 statements concern IAM: 11 match iam:GetUser by their Action (exactly,
// by an iam wildcard or by "*"): 4 Allows that apply and 7 Denies that do not; 2 Denies have a
// NotAction that leaves GetUser out (an engine that indexes statements by action still has to
// test those for every action). The other 7 are about other services (s3, ec2, dynamodb, logs,
// cloudwatch, kms). The Denies miss GetUser on self by their resource (an admin path, anything
// but the user's own ARN), or by a condition that does not hold (a date in 2099, an address
// outside 127.0.0.0/8, MFA age, account, a user-name pattern). Long-term keys carry no aws:MultiFactorAuthPresent, so the
// BoolIfExists statements apply: the Allow that wants MFA "true" and the classic
// "deny everything but MFA set-up without MFA" (whose NotAction keeps GetUser out).

/** The JSON text of policy `i` (0-based) for `accountId`, pretty-printed like a hand-written document. */
export function benchPolicyDocument(accountId, i) {
  const A = accountId;
  const self = `arn:aws:iam::${A}:user/\${aws:username}`;
  const statements = [
    {
      Sid: `AllowSelfReadMfaIfSession${i}`,
      Effect: "Allow",
      Action: ["iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListMFADevices", "iam:ListSigningCertificates"],
      Resource: self,
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
    },
    {
      Sid: `AllowIamReadFromOffice${i}`,
      Effect: "Allow",
      Action: ["iam:Get*", "iam:List*", "iam:GenerateServiceLastAccessedDetails"],
      Resource: [self, `arn:aws:iam::${A}:group/team-${i}/*`],
      Condition: { IpAddress: { "aws:SourceIp": ["127.0.0.0/8", `10.${i}.0.0/16`, `192.168.${i}.0/24`] } },
    },
    {
      Sid: `DenyAllButMfaSetupWithoutMfa${i}`,
      Effect: "Deny",
      NotAction: [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "iam:ChangePassword",
        "sts:GetSessionToken",
      ],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    },
    {
      Sid: `DenyIamOnAdminPrincipals${i}`,
      Effect: "Deny",
      Action: "iam:*",
      Resource: [`arn:aws:iam::*:user/admin/*`, `arn:aws:iam::*:role/OrganizationAccountAccessRole`, `arn:aws:iam::${A}:user/break-glass-${i}`],
    },
    {
      Sid: `DenyIamAfterSunset${i}`,
      Effect: "Deny",
      Action: ["iam:*", "sts:*"],
      Resource: "*",
      Condition: { DateGreaterThan: { "aws:CurrentTime": `2099-${String(1 + (i % 9)).padStart(2, "0")}-01T00:00:00Z` } },
    },
    {
      Sid: `DenyFromOutsideNetworks${i}`,
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: {
        NotIpAddress: { "aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
        Bool: { "aws:ViaAWSService": "false" },
      },
    },
    {
      Sid: `AllowSelfServiceInWindow${i}`,
      Effect: "Allow",
      Action: ["iam:GetUser", "iam:ChangePassword", "iam:UpdateLoginProfile", "iam:GetAccountPasswordPolicy"],
      Resource: `arn:aws:iam::*:user/\${aws:username}`,
      Condition: {
        DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
        DateLessThan: { "aws:CurrentTime": `2099-12-${String(10 + i).padStart(2, "0")}T23:59:59Z` },
      },
    },
    {
      Sid: `DenyUsersOutsideNaming${i}`,
      Effect: "Deny",
      Action: ["iam:*User*", "iam:*LoginProfile*", "iam:*AccessKey*"],
      Resource: "*",
      Condition: { StringNotLike: { "aws:username": ["bench-*", `svc-${i}-*`, "ops-??-*"] } },
    },
    {
      Sid: `DenyOutsideRegions${i}`,
      Effect: "Deny",
      NotAction: ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*", "budgets:*"],
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1", "us-east-1"] } },
    },
    {
      Sid: `DenyStaleMfa${i}`,
      Effect: "Deny",
      Action: ["iam:*", "sts:AssumeRole"],
      Resource: "*",
      Condition: { NumericGreaterThan: { "aws:MultiFactorAuthAge": String(3600 * (1 + (i % 4))) } },
    },
    {
      Sid: `AllowOwnIdentityByArn${i}`,
      Effect: "Allow",
      Action: ["iam:GetUser", "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:ListUserTags"],
      Resource: self,
      Condition: {
        StringEquals: { "aws:PrincipalType": "User" },
        ArnLike: { "aws:PrincipalArn": [`arn:aws:iam::${A}:user/bench-*`, `arn:aws:iam::${A}:user/team-${i}/*`] },
      },
    },
    {
      Sid: `DenyReadingOtherUsers${i}`,
      Effect: "Deny",
      Action: ["iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListMFADevices", "iam:Update*"],
      NotResource: [self, `arn:aws:iam::${A}:mfa/\${aws:username}`, `arn:aws:iam::${A}:user/team-${i}/*`],
    },
    {
      Sid: `DenyOtherAccounts${i}`,
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:PrincipalAccount": [A] } },
    },
    // Other services: GetUser never looks at these.
    {
      Sid: `AllowHomeObjects${i}`,
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"],
      Resource: `arn:aws:s3:::team-${i}-data/home/\${aws:username}/*`,
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
    },
    {
      Sid: `AllowListHome${i}`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::team-${i}-data`,
      Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/*", "shared/*"] } },
    },
    {
      Sid: `AllowDescribeInRegions${i}`,
      Effect: "Allow",
      Action: ["ec2:Describe*", "elasticloadbalancing:Describe*", "autoscaling:Describe*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } },
    },
    {
      Sid: `DenyStopOthersInstances${i}`,
      Effect: "Deny",
      Action: ["ec2:StopInstances", "ec2:TerminateInstances", "ec2:RebootInstances"],
      Resource: `arn:aws:ec2:*:${A}:instance/*`,
      Condition: { StringNotEquals: { "aws:ResourceTag/owner": "${aws:username}" } },
    },
    {
      Sid: `AllowOwnItems${i}`,
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: `arn:aws:dynamodb:eu-west-1:${A}:table/team-${i}-*`,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["${aws:username}", "${aws:username}#*"] } },
    },
    {
      Sid: `AllowObservability${i}`,
      Effect: "Allow",
      Action: ["logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
      Resource: "*",
      Condition: { DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } },
    },
    {
      Sid: `DenyKeyDestruction${i}`,
      Effect: "Deny",
      Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
      Resource: `arn:aws:kms:*:${A}:key/*`,
      Condition: { ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${A}:user/admin-*` } },
    },
  ];
  return JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);
}

/** IAM's count for the managed-policy quota (6,144): characters other than white space. */
export const iamPolicySize = (text) => text.replace(/[ \t\n\r\v\f]/g, "").length;

const glob = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "is");
const list = (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * The statements of `text` that apply to `action` as far as the action goes (Action matches it,
 * or NotAction does not), by effect: those whose resource and conditions an evaluation of that
 * action has to look at. `notAction`: NotAction statements that leave the action out. Reckoned
 * here from the document, independently of the engine.
 */
export function statementsNaming(text, action) {
  let allow = 0;
  let deny = 0;
  let notAction = 0;
  for (const s of JSON.parse(text).Statement) {
    const actions = list(s.Action);
    const hit = actions ? actions.some((a) => glob(a).test(action)) : !list(s.NotAction).some((a) => glob(a).test(action));
    if (hit) s.Effect === "Allow" ? allow++ : deny++;
    else if (!actions) notAction++;
  }
  return { allow, deny, notAction };
}
