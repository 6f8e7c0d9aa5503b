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
 * - temporary `ASIA` keys from GetSessionToken, whose secret and claims travel sealed in the
 *   session token (DESIGN.md decision 1): no store read for the token itself.
 */
import { Errors } from "../errors.js";
import { SERVICES } from "../protocol/operation.js";
import type { Deps } from "../deps.js";
import { checkRequestTime, checkScopeDate, headerValue, parseSigV4, verifySignature } from "../sigv4/index.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { isExpired } from "../tokens/seal.js";
import type { Caller, Principal, Session } from "../principal.js";
import { sessionUser } from "./session-users.js";

/** Temporary (STS) access key ids start with this; long-term ones with AKIA (spec §6.1). */
const TEMPORARY_KEY_PREFIX = "ASIA";

/** Last-used is AWS-approximate; writing it at most once a minute per key keeps reads write-free. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** Step 1: the request's SigV4 parameters, or MissingAuthenticationToken / IncompleteSignature. */
export function readSignature(req: WireRequest): SigV4Auth {
  const parsed = parseSigV4(req);
  if (parsed.kind === "none") throw Errors.missingAuthenticationToken();
  if (parsed.kind === "error") {
    throw parsed.code === "MissingAuthenticationToken"
      ? Errors.missingAuthenticationToken()
      : Errors.incompleteSignature(parsed.message);
  }
  return parsed.auth;
}

/** Step 2: check the signature and resolve who signed it. */
export async function verifyCaller(req: WireRequest, auth: SigV4Auth, deps: Deps): Promise<Caller> {
  if (!SERVICES.has(auth.service)) throw Errors.wrongScopeService(auth.service);
  const now = deps.clock.now();
  const time = checkRequestTime(auth, now);
  if (!time.ok) throw Errors.signatureDoesNotMatch(time.message);
  const scope = checkScopeDate(auth);
  if (!scope.ok) throw Errors.signatureDoesNotMatch(scope.message);

  const { principal, session } = auth.accessKeyId.startsWith(TEMPORARY_KEY_PREFIX)
    ? await verifySessionCredentials(req, auth, deps, now)
    : await verifyLongTermKey(req, auth, deps, now);
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

async function verifyLongTermKey(req: WireRequest, auth: SigV4Auth, deps: Deps, now: number): Promise<Verified> {
  // A session token next to a long-term key (say, a stale AWS_SESSION_TOKEN) is a token that
  // does not belong to the key: AWS's answer is the token one, without the period.
  if (auth.securityToken !== undefined) throw Errors.invalidSessionToken();
  const key = await deps.store.getAccessKey(auth.accessKeyId);
  if (!key || key.status !== "Active") throw Errors.invalidAccessKeyId();

  const secret = deps.secrets.open(key.sealedSecret, key.accessKeyId);
  if (!verifySignature(req, auth, secret)) throw Errors.signatureDoesNotMatch();

  let principal: Principal;
  if (key.userName === null) {
    principal = { type: "root", accountId: key.accountId };
  } else {
    const user = await deps.store.getUser(key.accountId, key.userName);
    if (!user) throw Errors.invalidAccessKeyId();
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
  return { principal, session: null };
}

async function verifySessionCredentials(req: WireRequest, auth: SigV4Auth, deps: Deps, now: number): Promise<Verified> {
  // An ASIA key without its token, a token that does not open, a token of another key: one answer.
  const token = auth.securityToken;
  if (token === undefined || token === "") throw Errors.invalidSessionToken();
  const claims = await deps.tokens.open(token);
  if (!claims || claims.accessKeyId !== auth.accessKeyId) throw Errors.invalidSessionToken();
  if (!verifySignature(req, auth, claims.secretAccessKey)) throw Errors.signatureDoesNotMatch();
  if (isExpired(claims, now)) throw Errors.expiredToken();
  // GetSessionToken credentials made without MFA may not call IAM at all (spec §6.2, §4.2 row 6);
  // the claims alone decide it, so before any store read.
  if (auth.service === "iam" && claims.mfa === null) throw Errors.invalidSessionToken();

  // A session cannot be revoked, but its permissions are the user's, evaluated on every request:
  // once the user is gone, so is every session of theirs. (AWS's answer here is UNCONFIRMED; the
  // token no longer names a principal, so it is the invalid-token one.)
  let principal: Principal;
  if (claims.principal.type === "root") {
    principal = { type: "root", accountId: claims.accountId };
  } else {
    const user = await sessionUser(deps.store, claims.accountId, claims.principal.userId, now);
    if (!user) throw Errors.invalidSessionToken();
    principal = { type: "user", accountId: claims.accountId, user };
  }

  const session: Session = {
    issuedAt: claims.issuedAt,
    expiresAt: claims.expiresAt,
    mfa: claims.mfa,
    sourceAccessKeyId: claims.sourceAccessKeyId,
  };
  return { principal, session };
}
