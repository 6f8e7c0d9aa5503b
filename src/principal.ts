/**
 * Who is calling: the account's root user or an IAM user, and how they authenticated. Made by
 * auth/, read by the operations (shared here so that they import nothing from auth/ for it:
 * DESIGN.md decision 9).
 */
import type { User } from "./store/store.js";

export type Principal =
  | { readonly type: "root"; readonly accountId: string }
  | { readonly type: "user"; readonly accountId: string; readonly user: User };

/** What a request signed with temporary credentials carries from its session token. */
export interface Session {
  /** ms since the epoch */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The MFA device and time of the GetSessionToken call that made the session; null without MFA. */
  readonly mfa: { readonly serialNumber: string; readonly authenticatedAt: number } | null;
  /** The long-term key that called GetSessionToken. */
  readonly sourceAccessKeyId: string;
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

export function principalArn(p: Principal): string {
  return p.type === "root" ? rootArn(p.accountId) : userArn(p.accountId, p.user.path, p.user.userName);
}

/** GetCallerIdentity's UserId: the account id for root, the AIDA id for a user (spec §3.2). */
export function principalUserId(p: Principal): string {
  return p.type === "root" ? p.accountId : p.user.userId;
}
