/**
 * What a verified request tells another service about its caller: the server's Caller (made by
 * auth/) in plain, stable terms — the identity GetCallerIdentity would answer, the key it signed
 * with, and for temporary credentials the session's times and MFA facts.
 */
import { principalArn, principalUserId, type Caller } from "../principal.js";

/** How the session's credentials were obtained with MFA. */
export type MfaFacts =
  /** GetSessionToken (or AssumeRole) was called with a device's code. */
  | { present: true; authenticatedAt: Date; serialNumber: string }
  /** The session was made without an MFA code. */
  | { present: false; authenticatedAt: null };

/** The session of temporary (`ASIA…`) credentials. */
export interface VerifiedSession {
  issuedAt: Date;
  expiresAt: Date;
  mfa: MfaFacts;
}

/** Who signed the request. */
export interface VerifiedCaller {
  accountId: string;
  /** As GetCallerIdentity answers: `arn:aws:iam::ACCOUNT:root`, `…:user/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  arn: string;
  /** As GetCallerIdentity answers: the account id (root), `AIDA…` (user), `AROA…:SESSION` (role session). */
  userId: string;
  /** `role`: a session of an IAM role (AssumeRole). */
  type: "root" | "user" | "role";
  /** The access key id the request was signed with. */
  accessKeyId: string;
  /** null for long-term (`AKIA…`) keys. */
  session: VerifiedSession | null;
}

export function verifiedCaller(caller: Caller): VerifiedCaller {
  const { principal, session } = caller;
  return {
    accountId: principal.accountId,
    arn: principalArn(principal),
    userId: principalUserId(principal),
    type: principal.type,
    accessKeyId: caller.accessKeyId,
    session:
      session === null
        ? null
        : {
            issuedAt: new Date(session.issuedAt),
            expiresAt: new Date(session.expiresAt),
            mfa:
              session.mfa === null
                ? { present: false, authenticatedAt: null }
                : { present: true, authenticatedAt: new Date(session.mfa.authenticatedAt), serialNumber: session.mfa.serialNumber },
          },
  };
}
