/**
 * Resolve the caller of a request: SigV4 over the raw bytes, then the credentials, then the
 * principal they belong to. Every failure is the AWS answer for it (spec §4.2 rows 5–14).
 *
 * Order of checks (AWS's is UNCONFIRMED, spec §4.3): parse → scope service → time window →
 * credentials → signature. The time check comes before any lookup because it is free and it
 * turns away stale replays without a store read.
 *
 * Two kinds of credentials:
 * - long-term `AKIA` keys, looked up in the store;
 * - temporary `ASIA` keys from GetSessionToken or AssumeRole, whose secret and claims travel
 *   sealed in the session token (DESIGN.md decision 1): no store read for the token itself.
 */
import { AwsError, Errors } from "../errors.js";
import { SERVICES } from "../protocol/operation.js";
import type { Deps } from "../deps.js";
import { checkRequestTime, checkScopeDate, headerValue, verifySignature } from "../sigv4/index.js";
import type { ParseResult } from "../sigv4/parse.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { isExpired } from "../tokens/seal.js";
import type { Caller, Principal, Session } from "../principal.js";
import { isLocked } from "../lockout/limits.js";
import { countBadSignature, forgetBadSignatures, keyAttempts } from "./key-attempts.js";
import { sessionRole, sessionUser } from "./session-users.js";

/** Temporary (STS) access key ids start with this; long-term ones with AKIA (spec §6.1). */
const TEMPORARY_KEY_PREFIX = "ASIA";

/** Last-used is AWS-approximate; writing it at most once a minute per key keeps reads write-free. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** Step 1: the parsed SigV4 parameters, or the Query protocol's MissingAuthenticationToken / IncompleteSignature. */
export function signatureOf(parsed: ParseResult): SigV4Auth {
  if (parsed.kind === "none") throw Errors.missingAuthenticationToken();
  if (parsed.kind === "error") {
    throw parsed.code === "MissingAuthenticationToken"
      ? Errors.missingAuthenticationToken()
      : Errors.incompleteSignature(parsed.message);
  }
  return parsed.auth;
}

/**
 * Why a signed request was not accepted, in terms of no one service: each service turns these
 * into its own errors (STS/IAM: InvalidClientTokenId, …; S3: InvalidAccessKeyId, InvalidToken, …).
 */
export type AuthFailureReason =
  /** The credential scope names a service this endpoint does not serve. */
  | "scope-service"
  /** X-Amz-Date outside ±15 minutes (message: the Query protocol's text). */
  | "request-time"
  /** The scope's date is not X-Amz-Date's (message: the Query protocol's text). */
  | "scope-date"
  /** No such key, or an inactive one, or its user is gone. */
  | "unknown-key"
  /** A session token next to a long-term key. */
  | "token-with-long-term-key"
  /** A temporary (ASIA) key without its token. */
  | "missing-token"
  /** A token that does not open, or belongs to another key, or whose user is gone. */
  | "invalid-token"
  | "expired-token"
  | "signature"
  /** A session made without MFA calling IAM (spec §6.2). */
  | "iam-without-mfa"
  /** A long-term key locked after too many bad signatures (issue 16; this server's own, not AWS's). */
  | "locked";

export class AuthFailure extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message: string = reason,
  ) {
    super(message);
    this.name = "AuthFailure";
  }
}

/** Checks a signature by one service's rules (S3 signs its paths and payloads differently). */
export type SignatureCheck = (req: WireRequest, auth: SigV4Auth, secret: string) => boolean;

/** The Query protocol's answer (STS, IAM) to each failure (spec §4.2 rows 5–14). */
export function queryAuthError(failure: AuthFailure, auth: SigV4Auth): AwsError {
  switch (failure.reason) {
    case "scope-service":
      return Errors.wrongScopeService(auth.service);
    case "request-time":
    case "scope-date":
      return Errors.signatureDoesNotMatch(failure.message);
    case "unknown-key":
      return Errors.invalidAccessKeyId();
    case "token-with-long-term-key":
    case "missing-token":
    case "invalid-token":
    case "iam-without-mfa":
      return Errors.invalidSessionToken();
    case "expired-token":
      return Errors.expiredToken();
    case "signature":
      return Errors.signatureDoesNotMatch();
    case "locked":
      return Errors.throttling();
  }
}

/** How a service verifies: the Query protocol's rules by default. */
export interface VerifyOptions {
  /** Its signature rules (S3 signs paths and payloads differently). */
  readonly check?: SignatureCheck;
  /** The scope services it serves. */
  readonly services?: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  /** false: the service checks the request's time itself (S3: presigned URLs live up to a week). */
  readonly checkTime?: boolean;
}

/** Step 2: check the signature and resolve who signed it. Throws AuthFailure. */
export async function verifyCaller(req: WireRequest, auth: SigV4Auth, deps: Deps, options: VerifyOptions = {}): Promise<Caller> {
  const { check = verifySignature, services = SERVICES, checkTime = true } = options;
  if (!services.has(auth.service)) throw new AuthFailure("scope-service");
  const now = deps.clock.now();
  const time = checkTime ? checkRequestTime(auth, now) : { ok: true as const };
  if (!time.ok) throw new AuthFailure("request-time", time.message);
  const scope = checkScopeDate(auth);
  if (!scope.ok) throw new AuthFailure("scope-date", scope.message);

  const { principal, session } = auth.accessKeyId.startsWith(TEMPORARY_KEY_PREFIX)
    ? await verifySessionCredentials(req, auth, deps, now, check)
    : await verifyLongTermKey(req, auth, deps, now, check);
  return {
    principal,
    accessKeyId: auth.accessKeyId,
    region: auth.region,
    service: auth.service,
    session,
    origin: { sourceIp: req.remoteAddress, userAgent: headerValue(req, "user-agent"), secure: req.secure === true, at: now },
  };
}

interface Verified {
  principal: Principal;
  session: Session | null;
}

async function verifyLongTermKey(req: WireRequest, auth: SigV4Auth, deps: Deps, now: number, check: SignatureCheck): Promise<Verified> {
  // A session token next to a long-term key (say, a stale AWS_SESSION_TOKEN) is a token that
  // does not belong to the key: AWS's answer is the token one, without the period.
  if (auth.securityToken !== undefined) throw new AuthFailure("token-with-long-term-key");
  const key = await deps.store.getAccessKey(auth.accessKeyId);
  if (!key || key.status !== "Active") throw new AuthFailure("unknown-key");

  // Attempt limits (key-attempts.ts): a locked key is refused before its signature is checked.
  const attempts = await keyAttempts(deps.store, key.accessKeyId, now);
  if (isLocked(attempts, now)) throw new AuthFailure("locked");
  const secret = deps.secrets.open(key.sealedSecret, key.accessKeyId);
  if (!check(req, auth, secret)) {
    const origin = { service: auth.service, region: auth.region, sourceIp: req.remoteAddress };
    throw new AuthFailure((await countBadSignature(deps, key, origin, now)) ? "locked" : "signature");
  }

  let principal: Principal;
  if (key.userName === null) {
    principal = { type: "root", accountId: key.accountId };
  } else {
    const user = await deps.store.getUser(key.accountId, key.userName);
    if (!user) throw new AuthFailure("unknown-key");
    principal = { type: "user", accountId: key.accountId, user };
  }

  const last = key.lastUsed;
  if (
    !last ||
    now - last.date.getTime() >= LAST_USED_GRANULARITY_MS ||
    last.region !== auth.region ||
    last.service !== auth.service
  ) {
    await deps.store.recordAccessKeyUse(key.accessKeyId, { date: new Date(now), region: auth.region, service: auth.service });
  }
  await forgetBadSignatures(deps, key.accessKeyId, attempts, now);
  return { principal, session: null };
}

async function verifySessionCredentials(req: WireRequest, auth: SigV4Auth, deps: Deps, now: number, check: SignatureCheck): Promise<Verified> {
  // An ASIA key without its token, a token that does not open, a token of another key: for STS
  // one answer; S3 tells the missing token from the bad one.
  const token = auth.securityToken;
  if (token === undefined || token === "") throw new AuthFailure("missing-token");
  const claims = await deps.tokens.open(token);
  if (!claims || claims.accessKeyId !== auth.accessKeyId) throw new AuthFailure("invalid-token");
  if (!check(req, auth, claims.secretAccessKey)) throw new AuthFailure("signature");
  if (isExpired(claims, now)) throw new AuthFailure("expired-token");
  // GetSessionToken credentials made without MFA may not call IAM at all (spec §6.2, §4.2 row 6);
  // the claims alone decide it, so before any store read. Role sessions have no such rule: their
  // role's policies decide (assume-role spec §6).
  if (auth.service === "iam" && claims.mfa === null && claims.role === undefined) throw new AuthFailure("iam-without-mfa");

  // A session cannot be revoked, but its permissions are its user's or role's, evaluated on every
  // request: once the user or role is gone, so is every session of theirs. (AWS's answer here is
  // UNCONFIRMED; the token no longer names a principal, so it is the invalid-token one.)
  let principal: Principal;
  const named = claims.principal;
  if (named.type === "root") {
    principal = { type: "root", accountId: claims.accountId };
  } else if (named.type === "user") {
    const user = await sessionUser(deps.store, claims.accountId, named.userId, now);
    if (!user) throw new AuthFailure("invalid-token");
    principal = { type: "user", accountId: claims.accountId, user };
  } else {
    const role = await sessionRole(deps.store, claims.accountId, named.roleName, named.roleId, now);
    if (!role) throw new AuthFailure("invalid-token");
    principal = { type: "role", accountId: claims.accountId, role, sessionName: named.sessionName };
  }

  const session: Session = {
    issuedAt: claims.issuedAt,
    expiresAt: claims.expiresAt,
    mfa: claims.mfa,
    sourceAccessKeyId: claims.sourceAccessKeyId,
    role: claims.role ?? null,
  };
  return { principal, session };
}
