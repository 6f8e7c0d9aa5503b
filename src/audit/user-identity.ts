/**
 * CloudTrail's `userIdentity` element for a caller: Root, IAMUser or AssumedRole, with the key
 * that signed and, for temporary credentials, the session's `sessionContext` (when it was made,
 * whether with MFA, and for a role session the role that issued it). A request refused before a
 * principal was known keeps what is known: the access key id.
 */
import { principalArn, principalUserId, type Caller } from "../principal.js";
import { isoSeconds } from "./time.js";

export interface SessionIssuer {
  readonly type: "Role";
  readonly principalId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly userName: string;
}

export interface SessionContext {
  /** Empty for GetSessionToken sessions, as CloudTrail writes them. */
  readonly sessionIssuer: SessionIssuer | Record<string, never>;
  readonly webIdFederationData: Record<string, never>;
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: "true" | "false" };
  readonly sourceIdentity?: string;
}

export interface UserIdentity {
  /** "Unknown": refused before the caller was known (CloudTrail's own word for it). */
  readonly type: "Root" | "IAMUser" | "AssumedRole" | "Unknown";
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId: string;
  readonly userName?: string;
  readonly sessionContext?: SessionContext;
}

const TYPES = { root: "Root", user: "IAMUser", role: "AssumedRole" } as const;

function sessionContext(caller: Caller): SessionContext | undefined {
  const { session, principal } = caller;
  if (session === null) return undefined;
  const attributes = { creationDate: isoSeconds(session.issuedAt), mfaAuthenticated: session.mfa === null ? "false" : "true" } as const;
  if (principal.type !== "role") return { sessionIssuer: {}, webIdFederationData: {}, attributes };
  const { role } = principal;
  const sourceIdentity = session.role?.sourceIdentity ?? undefined;
  return {
    sessionIssuer: {
      type: "Role",
      principalId: role.roleId,
      arn: role.arn,
      accountId: principal.accountId,
      userName: role.roleName,
    },
    webIdFederationData: {},
    attributes,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  };
}

export function userIdentity(caller: Caller | undefined, accessKeyId: string): UserIdentity {
  if (caller === undefined) return { type: "Unknown", accessKeyId };
  const { principal } = caller;
  const context = sessionContext(caller);
  return {
    type: TYPES[principal.type],
    principalId: principalUserId(principal),
    arn: principalArn(principal),
    accountId: principal.accountId,
    accessKeyId: caller.accessKeyId,
    // CloudTrail names IAM users; a role session's name is in its ARN and its issuer.
    ...(principal.type === "user" ? { userName: principal.user.userName } : {}),
    ...(context === undefined ? {} : { sessionContext: context }),
  };
}
