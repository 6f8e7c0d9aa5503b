/**
 * Resolve the caller of a request: SigV4 over the raw bytes, then the access key, then the
 * principal that owns it. Every failure is the AWS answer for it (spec §4.2 rows 5, 8–14).
 *
 * Order of checks (AWS's is UNCONFIRMED, spec §4.3): parse → scope service → time window →
 * key lookup → signature. The time check comes before the key lookup because it is free and it
 * turns away stale replays without a store read.
 */
import { Errors } from "../errors.js";
import type { Deps } from "../server/deps.js";
import { checkRequestTime, checkScopeDate, parseSigV4, verifySignature } from "../sigv4/index.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import type { Caller, Principal } from "./principal.js";

/** The services this endpoint answers for, by credential-scope name. */
const SERVICES = new Set(["sts", "iam"]);

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
  return { principal, accessKeyId: key.accessKeyId, region: auth.region, service: auth.service };
}
