/**
 * Who is calling: the account's root user, an IAM user, or a session of an IAM role, and how they
 * authenticated. Made by auth/, read by the operations (shared here so that they import nothing
 * from auth/ for it: DESIGN.md decision 9).
 */
import type { Role, User } from "./store/store.js";
import type { RoleSessionClaims } from "./tokens/claims.js";

export type Principal =
  | { readonly type: "root"; readonly accountId: string }
  | { readonly type: "user"; readonly accountId: string; readonly user: User }
  /** A role session (AssumeRole): the role as stored now, and the session's name. */
  | { readonly type: "role"; readonly accountId: string; readonly role: Role; readonly sessionName: string };

/** What a request signed with temporary credentials carries from its session token. */
export interface Session {
  /** ms since the epoch */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The MFA device and time of the GetSessionToken call that made the session; null without MFA. */
  readonly mfa: { readonly serialNumber: string; readonly authenticatedAt: number } | null;
  /** The key that called GetSessionToken or AssumeRole. */
  readonly sourceAccessKeyId: string;
  /** What AssumeRole added (session policies, tags, chaining); null for GetSessionToken sessions. */
  readonly role: Readonly<RoleSessionClaims> | null;
}

/** Where and how a request arrived: what the request context's transport keys are made of. */
export interface RequestOrigin {
  /** The peer's address; undefined for requests made in memory. */
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly secure: boolean;
  /** ms since the epoch, from the injected clock */
  readonly at: number;
}

export interface Caller {
  readonly principal: Principal;
  /** The access key id the request was signed with. */
  readonly accessKeyId: string;
  /** Credential-scope region and service of the request. */
  readonly region: string;
  readonly service: string;
  /** null for long-term keys. */
  readonly session: Session | null;
  readonly origin: RequestOrigin;
}

export const rootArn = (accountId: string): string => `arn:aws:iam::${accountId}:root`;
export const userArn = (accountId: string, path: string, userName: string): string =>
  `arn:aws:iam::${accountId}:user${path}${userName}`;

export const roleArn = (accountId: string, path: string, roleName: string): string =>
  `arn:aws:iam::${accountId}:role${path}${roleName}`;
/** A role session's ARN names the role without its path (assume-role spec §2.1, UNCONFIRMED for paths). */
export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string): string =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

/** The caller's ARN as AWS names it in GetCallerIdentity and AccessDenied messages. */
export function principalArn(p: Principal): string {
  switch (p.type) {
    case "root":
      return rootArn(p.accountId);
    case "user":
      return userArn(p.accountId, p.user.path, p.user.userName);
    case "role":
      return assumedRoleArn(p.accountId, p.role.roleName, p.sessionName);
  }
}

/** GetCallerIdentity's UserId: the account id for root, the AIDA id for a user (spec §3.2), AROA…:SESSION for a role session. */
export function principalUserId(p: Principal): string {
  switch (p.type) {
    case "root":
      return p.accountId;
    case "user":
      return p.user.userId;
    case "role":
      return `${p.role.roleId}:${p.sessionName}`;
  }
}
