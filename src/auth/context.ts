/**
 * The request context policies are evaluated against (spec §2.4, §4): the global condition keys
 * of the caller and the request, as IAM's own context has them — every value a string, keys in
 * lower case. Built at most once per request, and only for requests that are authorized by
 * policy (GetCallerIdentity and the root user never need one).
 */
import type { ContextValue, RequestContext } from "../policy/index.js";
import { principalArn, principalUserId, roleArn, type Caller, type Principal } from "../principal.js";

/** aws:PrincipalType (spec §2.4). */
const PRINCIPAL_TYPES: Record<Principal["type"], string> = { root: "Account", user: "User", role: "AssumedRole" };

/** ISO 8601 in whole seconds, as IAM shows dates (2026-12-03T08:00:00Z). */
const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** An IPv4 peer reached over an IPv6 socket shows as ::ffff:a.b.c.d; policies name the IPv4 address. */
const plainIp = (ip: string): string => (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);

function build(caller: Caller): Map<string, ContextValue> {
  const { principal, session, origin } = caller;
  const keys = new Map<string, ContextValue>();
  keys.set("aws:currenttime", isoSeconds(origin.at));
  keys.set("aws:epochtime", String(Math.floor(origin.at / 1000)));
  keys.set("aws:securetransport", String(origin.secure));
  if (origin.sourceIp !== undefined) keys.set("aws:sourceip", plainIp(origin.sourceIp));
  if (origin.userAgent !== undefined) keys.set("aws:useragent", origin.userAgent);
  // A role session's aws:PrincipalArn is its role's ARN, not the session's ("the ARN of the role,
  // not the ARN of the user that assumed the role").
  keys.set("aws:principalarn", principal.type === "role" ? roleArn(principal.accountId, principal.role.path, principal.role.roleName) : principalArn(principal));
  keys.set("aws:principalaccount", principal.accountId);
  keys.set("aws:userid", principalUserId(principal));
  keys.set("aws:principaltype", PRINCIPAL_TYPES[principal.type]);
  // aws:username is "always included for IAM users" and absent for the root user and roles.
  if (principal.type === "user") keys.set("aws:username", principal.user.userName);
  if (principal.type === "role") {
    // The role's tags, then the session's, which win for the same key (tag keys ignore case).
    for (const tag of principal.role.tags) keys.set(`aws:principaltag/${tag.key.toLowerCase()}`, tag.value);
    for (const tag of session?.role?.tags ?? []) keys.set(`aws:principaltag/${tag.key.toLowerCase()}`, tag.value);
    if (session?.role?.sourceIdentity) keys.set("aws:sourceidentity", session.role.sourceIdentity);
  }
  keys.set("aws:principalisawsservice", "false");
  keys.set("aws:viaawsservice", "false");
  // "IAM calls are always made to the us-east-1 Region"; other services: the signed region.
  keys.set("aws:requestedregion", caller.service === "iam" ? "us-east-1" : caller.region);
  // Only temporary credentials carry the MFA keys: absent for long-term keys, which is why
  // AWS's samples test them with BoolIfExists.
  if (session !== null) {
    keys.set("aws:multifactorauthpresent", String(session.mfa !== null));
    if (session.mfa !== null) {
      keys.set("aws:multifactorauthage", String(Math.max(0, Math.floor((origin.at - session.mfa.authenticatedAt) / 1000))));
    }
    keys.set("aws:tokenissuetime", isoSeconds(session.issuedAt));
  }
  return keys;
}

const built = new WeakMap<Caller, RequestContext>();

/** The caller's request context, plus the keys an action adds (iam:PolicyARN, …) when given. */
export function requestContext(caller: Caller, extra?: Readonly<Record<string, ContextValue>>): RequestContext {
  let context = built.get(caller);
  if (!context) {
    context = build(caller);
    built.set(caller, context);
  }
  if (extra === undefined) return context;
  const merged = new Map(context);
  for (const [key, value] of Object.entries(extra)) merged.set(key.toLowerCase(), value);
  return merged;
}
