/**
 * The Principal element of a trust policy (assume-role-spec §4.2): which values IAM accepts when
 * the policy is written, and which of them match a caller when it is evaluated.
 *
 * Accepted `AWS` values: "*"; an account id ("123456789012") or its root ARN — both mean "the
 * account", not only its root user; an IAM user or role ARN (with path); an assumed-role session
 * ARN; a federated-user ARN. No wildcards inside a value ("You cannot use a wildcard to match part
 * of a principal name or ARN"). Anything else is `Invalid principal in policy: "AWS":"<value>"`,
 * the text AWS gives for e.g. a group ARN (aws/aws-cdk#11505) and for a user/role that does not
 * exist (§7.3 — that check needs the store, so the IAM layer makes it with trustPolicyPrincipals).
 *
 * Service and Federated are checked by shape only: AWS checks service principals against its
 * catalogue (`Invalid principal in policy: "SERVICE":"codepipeiine.amazonaws.com"` for a typo),
 * which we do not have. The key in those messages is the element's key in upper case ("AWS",
 * "SERVICE"); FEDERATED and CANONICALUSER follow that pattern, UNCONFIRMED.
 */
import type { Principals, TrustCaller } from "./types.js";

/**
 * What a matching statement granted (spec §4.1): "self" — the caller's own, most specific ARN (a
 * user's ARN, a role session's own session ARN); "caller" — the caller through its role's ARN, or
 * everyone ("*"); or only its "account". In the caller's account "self" and "caller" need no
 * identity policy, but "caller" stays limited by a role session's session policies.
 */
export type Grant = "self" | "caller" | "account";

export const PRINCIPAL_KEYS = { AWS: "aws", Service: "service", Federated: "federated", CanonicalUser: "canonicalUser" } as const;
export type PrincipalKey = keyof typeof PRINCIPAL_KEYS;

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws:iam::(\d{12}):root$/;
/** IAM names `[\w+=,.@-]+`, under a path of `/`-separated printable ASCII (the IAM model's patterns). */
const NAME = "[\\w+=,.@-]+";
const PATH = "(?:[\\x21-\\x2e\\x30-\\x7e]+/)*";
const USER_OR_ROLE = new RegExp(`^arn:aws:iam::\\d{12}:(?:user|role)/${PATH}${NAME}$`);
const ASSUMED_ROLE = new RegExp(`^arn:aws:sts::\\d{12}:assumed-role/${NAME}/${NAME}$`);
const FEDERATED_USER = new RegExp(`^arn:aws:sts::\\d{12}:federated-user/${NAME}$`);
/**
 * Service principals are DNS names under amazonaws.com (ec2.amazonaws.com,
 * logs.us-east-1.amazonaws.com) or, for a few, amazon.com (alexa-appkit.amazon.com).
 * `eks.amazonaws.com.cn` was refused in the aws partition (the .cn names belong to aws-cn).
 */
const SERVICE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.amazon(?:aws)?\.com$/;
/** SAML / OIDC provider ARNs, or an identity provider's host (cognito-identity.amazonaws.com, accounts.google.com). */
const PROVIDER_ARN = /^arn:aws:iam::\d{12}:(?:saml-provider\/[\w.-]+|oidc-provider\/[A-Za-z0-9.-]+(?:\/[\x21-\x7e]*)?)$/;
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
/** An S3 canonical user id: 64 hex digits. */
const CANONICAL_USER = /^[0-9a-f]{64}$/;

const hasWildcard = (value: string): boolean => value.includes("*") || value.includes("?");

/** Whether IAM accepts `value` under `key` in a trust policy (its existence aside). */
export function isValidPrincipal(key: PrincipalKey, value: string): boolean {
  switch (key) {
    case "AWS":
      if (value === "*") return true;
      if (hasWildcard(value)) return false;
      return ACCOUNT.test(value) || ROOT.test(value) || USER_OR_ROLE.test(value) || ASSUMED_ROLE.test(value) || FEDERATED_USER.test(value);
    case "Service":
      return SERVICE.test(value);
    case "Federated":
      return PROVIDER_ARN.test(value) || HOST.test(value);
    case "CanonicalUser":
      return CANONICAL_USER.test(value);
  }
}

/** AWS's text for a refused principal value: `Invalid principal in policy: "AWS":"arn:aws:iam::…"`. */
export const invalidPrincipalMessage = (key: string, value: string): string => `Invalid principal in policy: "${key.toUpperCase()}":"${value}"`;

/** The account a value names as a whole ("123456789012" or its root ARN), else undefined. */
function accountOf(value: string): string | undefined {
  if (ACCOUNT.test(value)) return value;
  return ROOT.exec(value)?.[1];
}

/**
 * A matcher of callers for one statement's Principal, built once per statement. It returns what
 * the statement grants the caller, the most specific winning when several match:
 *  - the caller's own ARN (a user ARN; a role session's exact session ARN) → "self";
 *  - "*" (everyone), or a role ARN, which every session of the role carries → "caller" (a
 *    same-account caller needs no identity policy; a role session's session policies still apply);
 *  - the caller's account (id or root ARN) → "account": the caller's identity policies must allow
 *    the action too (spec §4.1 table).
 * The root user's ARN is its account's root ARN, so naming the account names it as "account".
 * Service, Federated and CanonicalUser values never match an IAM caller.
 */
export function compilePrincipals(principals: Principals): (caller: TrustCaller) => Grant | undefined {
  const everyone = principals.aws.includes("*");
  const arns = new Set<string>();
  const accounts = new Set<string>();
  for (const value of principals.aws) {
    const account = accountOf(value);
    if (account !== undefined) accounts.add(account);
    else if (value !== "*") arns.add(value);
  }
  return (caller) => {
    if (arns.has(caller.arns[caller.arns.length - 1]!)) return "self";
    if (everyone || caller.arns.some((arn) => arns.has(arn))) return "caller";
    return accounts.has(caller.accountId) ? "account" : undefined;
  };
}
