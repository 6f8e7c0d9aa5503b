/**
 * AssumeRole (assume-role spec §1–§6): temporary credentials for a role, when its trust policy —
 * and, where the trust names only the account, the caller's own policies — allow the caller.
 * The role session's facts (role, session name, MFA, session policies, tags, chaining) travel
 * sealed in the token like a GetSessionToken session's (DESIGN.md decision 1).
 *
 * Check order (AWS's full order is UNCONFIRMED, spec §3 "Check order"): input shapes (before
 * this runs) → RoleArn's shape → root caller → session policy grammar → MFA code → the role and
 * its trust → tags → MaxSessionDuration → the chaining limit. Authorization comes before the
 * duration checks (an unauthorized chained 7200 s request was answered AccessDenied), and the
 * MaxSessionDuration text wins over the chaining one (both inferences of the spec).
 */
import { deflateRawSync } from "node:zlib";
import { decide, sessionPoliciesAllow } from "../auth/authorize.js";
import { requestContext } from "../auth/context.js";
import { AwsError, Errors } from "../errors.js";
import { newSecretAccessKey, newTemporaryAccessKeyId } from "../ids.js";
import { LruCache } from "../lru-cache.js";
import {
  compilePolicy,
  evaluateTrust,
  parsePolicy,
  parseTrustPolicy,
  PolicyParseError,
  type CompiledPolicy,
  type ContextValue,
  type TrustCaller,
} from "../policy/index.js";
import { assumedRoleArn, principalArn, roleArn, type Caller } from "../principal.js";
import { STS, type Operation, type OperationContext } from "../protocol/operation.js";
import type { Input, StructInput } from "../protocol/shapes.js";
import type { Role } from "../store/store.js";
import type { RoleSessionClaims, SessionClaims, SessionTag } from "../tokens/claims.js";
import { MAX_TOKEN_CHARS } from "../tokens/seal.js";
import { checkMfaCode } from "./mfa-code.js";

/** Durations in seconds (spec §5). */
export const ROLE_DURATION = { min: 900, max: 43_200, default: 3_600, chainedMax: 3_600 } as const;

const TAG_KEY = { type: "string", min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" } as const;
const TAG_VALUE = { type: "string", min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" } as const;

/**
 * AWS counts session policies and tags against a packed budget and answers their share of it in
 * PackedPolicySize. The packing is AWS's own; ours is deflate, with the budget set so that a
 * ~150-character policy reads 16 as recorded (spec §2.1; the scale is UNCONFIRMED). The plain-text
 * bound keeps tokens well inside an HTTP header however compressible the input.
 */
const PACKED_BUDGET_BYTES = 800;
const PLAIN_BUDGET_BYTES = 6_144;

const trustPolicies = new LruCache<string, CompiledPolicy>(10_000);

function compiledTrust(document: string): CompiledPolicy {
  let policy = trustPolicies.get(document);
  if (!policy) {
    policy = compilePolicy(parseTrustPolicy(document));
    trustPolicies.set(document, policy);
  }
  return policy;
}

/**
 * The role an ARN names, or undefined when it is ARN-shaped but not a role's (AccessDenied, row 3).
 * Not ARN-shaped — fewer than six parts, or no partition, service or resource — is row 4.
 */
function roleNamedBy(arn: string): { accountId: string; path: string; roleName: string } | undefined {
  const parts = arn.split(":");
  const [prefix, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(":");
  if (parts.length < 6 || prefix !== "arn" || !partition || !service || resource === "") throw Errors.invalidRoleArn(arn);
  if (service !== "iam" || region !== "" || !/^\d{12}$/.test(account ?? "")) return undefined;
  const role = /^role(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]{1,64})$/.exec(resource);
  return role ? { accountId: account!, path: role[1]!, roleName: role[2]! } : undefined;
}

/** The caller as trust policies name principals (spec §4.2). */
function trustCaller(caller: Caller): TrustCaller {
  const { principal } = caller;
  const arns =
    principal.type === "role"
      ? [roleArn(principal.accountId, principal.role.path, principal.role.roleName), principalArn(principal)]
      : [principalArn(principal)];
  return { accountId: principal.accountId, arns };
}

/**
 * The session's tags: the caller's transitive tags (a chained call cannot replace them, row 20),
 * then the requested ones (no duplicate keys, row 19; transitive keys among them, row 18). Tag keys
 * compare without case.
 */
function sessionTags(input: Input, from: Readonly<RoleSessionClaims> | null): { tags: SessionTag[]; transitiveTagKeys: string[] } {
  const requested = ((input.Tags as readonly StructInput[] | undefined) ?? []).map((t) => ({ key: t.Key as string, value: (t.Value as string | undefined) ?? "" }));
  const transitive = (input.TransitiveTagKeys as readonly string[] | undefined) ?? [];
  const keys = new Set<string>();
  for (const tag of requested) {
    const key = tag.key.toLowerCase();
    if (keys.has(key)) throw Errors.duplicateSessionTagKeys();
    keys.add(key);
  }
  if (transitive.some((key) => !keys.has(key.toLowerCase()))) throw Errors.transitiveTagNotInTags();
  const inheritedKeys = new Set((from?.transitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  const inherited = (from?.tags ?? []).filter((t) => inheritedKeys.has(t.key.toLowerCase()));
  if (inherited.some((t) => keys.has(t.key.toLowerCase()))) throw Errors.transitiveTagConflict();
  return { tags: [...inherited, ...requested], transitiveTagKeys: [...(from?.transitiveTagKeys ?? []), ...transitive] };
}

/** The request context keys AssumeRole adds, for the trust policy and the caller's own policies (spec §4.3). */
function assumeRoleContext(input: Input, tags: readonly SessionTag[], sourceIdentity: string | null, mfaNow: boolean): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { "sts:RoleSessionName": input.RoleSessionName as string };
  if (input.ExternalId !== undefined) context["sts:ExternalId"] = input.ExternalId as string;
  if (sourceIdentity !== null) context["sts:SourceIdentity"] = sourceIdentity;
  if (input.Tags !== undefined) {
    for (const tag of tags) context[`aws:RequestTag/${tag.key}`] = tag.value;
    context["aws:TagKeys"] = ((input.Tags as readonly StructInput[]).map((t) => t.Key as string));
  }
  if (input.TransitiveTagKeys !== undefined) context["sts:TransitiveTagKeys"] = input.TransitiveTagKeys as readonly string[];
  // A code checked by this very call is MFA "now" (spec §4.4 row 1).
  if (mfaNow) {
    context["aws:MultiFactorAuthPresent"] = "true";
    context["aws:MultiFactorAuthAge"] = "0";
  }
  return context;
}

/**
 * Whether the role may be assumed for `action` (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity):
 * the trust policy must allow it; when it names only the caller's account (or the role is in
 * another account) the caller's own policies must allow it too; an explicit deny in either wins.
 * A trust naming a role session through its role's ARN (or "*") needs no identity policy in the
 * same account but is limited by the session's own session policies; one naming the session's
 * own ARN is not (spec §4.1).
 */
async function requireTrusted(ctx: OperationContext, role: Role, roleArnAsSent: string, action: string, context: Record<string, ContextValue>): Promise<void> {
  const { caller } = ctx;
  const denied = (): AwsError => Errors.assumeRoleDenied(principalArn(caller.principal), roleArnAsSent, action);
  const trust = evaluateTrust(compiledTrust(role.assumeRolePolicyDocument), trustCaller(caller), {
    action,
    resource: role.arn,
    context: requestContext(caller, context),
  });
  if (trust.decision !== "allow") throw denied();
  const own = await decide(caller, ctx.deps.store, { action, resource: role.arn, shown: null, context });
  if (own.decision === "explicitDeny") throw denied();
  if (own.decision === "allow") return;
  const sameAccount = role.accountId === caller.principal.accountId;
  if (!sameAccount || trust.grantedTo === "account") throw denied();
  const request = { action, resource: role.arn, context };
  if (trust.grantedTo === "caller" && !(await sessionPoliciesAllow(caller, ctx.deps.store, request))) throw denied();
}

/** PackedPolicySize: the percentage of the packed budget the session policies and tags take (row 21 beyond 100). */
function packedPolicySize(policy: string | undefined, policyArns: readonly string[], tags: readonly SessionTag[]): number {
  const plain = Buffer.from([policy ?? "", ...policyArns, ...tags.map((t) => `${t.key}=${t.value}`)].join("\n"), "utf8");
  const packed = deflateRawSync(plain).length;
  const percent = Math.ceil(Math.max(packed / PACKED_BUDGET_BYTES, plain.length / PLAIN_BUDGET_BYTES) * 100);
  if (percent > 100) throw Errors.packedPolicyTooLarge(percent, tags.length > 0 ? "session tags" : "session policy");
  return percent;
}

export const assumeRole: Operation = {
  service: STS,
  action: "AssumeRole",
  input: {
    // RoleArn's character pattern is left to roleNamedBy: the model's supplementary-plane range
    // is not a JavaScript pattern, and AWS's answer for a malformed ARN is "<arn> is invalid".
    RoleArn: { type: "string", required: true, min: 20, max: 2048 },
    RoleSessionName: { type: "string", required: true, min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
    PolicyArns: { type: "structs", members: { arn: { type: "string", required: true, min: 20, max: 2048 } }, maxItems: 10 },
    // The model has no maximum; the documented 2,048 characters are checked with the Coral text
    // recorded for GetFederationToken's policy (UNCONFIRMED for AssumeRole).
    Policy: { type: "string", min: 1, max: 2048, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" },
    DurationSeconds: { type: "integer", min: ROLE_DURATION.min, max: ROLE_DURATION.max },
    Tags: { type: "structs", members: { Key: { ...TAG_KEY, required: true }, Value: { ...TAG_VALUE, required: true } }, maxItems: 50 },
    TransitiveTagKeys: { type: "list", member: TAG_KEY, maxItems: 50 },
    ExternalId: { type: "string", min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" },
    SerialNumber: { type: "string", min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
    TokenCode: { type: "string", min: 6, max: 6, pattern: "[\\d]*" },
    SourceIdentity: { type: "string", min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  },
  async run(ctx, input) {
    const { caller, deps } = ctx;
    const { principal } = caller;
    const arnAsSent = input.RoleArn as string;
    const sessionName = input.RoleSessionName as string;
    const named = roleNamedBy(arnAsSent);
    if (principal.type === "root") throw Errors.rootCannotAssumeRoles();

    const policy = input.Policy as string | undefined;
    if (policy !== undefined) {
      try {
        parsePolicy(policy, { managed: false });
      } catch (e) {
        if (e instanceof PolicyParseError) throw Errors.malformedPolicyDocument(e.message);
        throw e;
      }
    }

    const now = deps.clock.now();
    const mfaNow = (await checkMfaCode(ctx, input.SerialNumber as string | undefined, input.TokenCode as string | undefined, now)) !== undefined;

    // A role that does not exist, or that the ARN names with another path, is refused exactly
    // like one whose trust does not allow the caller (rows 1–3).
    const role = named && (await deps.store.getRole(named.accountId, named.roleName));
    if (!role || role.arn !== arnAsSent) throw Errors.assumeRoleDenied(principalArn(principal), arnAsSent);

    const from = caller.session?.role ?? null;
    const { tags, transitiveTagKeys } = sessionTags(input, from);
    // A source identity, once set, passes on through chaining and "cannot be changed during the
    // role session" (IAM User Guide); asking for another one is refused as a missing
    // sts:SetSourceIdentity permission (the wire text for this case is UNCONFIRMED).
    const sourceIdentity = from?.sourceIdentity ?? (input.SourceIdentity as string | undefined) ?? null;
    if (input.SourceIdentity !== undefined && input.SourceIdentity !== sourceIdentity) {
      throw Errors.assumeRoleDenied(principalArn(principal), arnAsSent, "sts:SetSourceIdentity");
    }
    const context = assumeRoleContext(input, tags, sourceIdentity, mfaNow);
    await requireTrusted(ctx, role, arnAsSent, "sts:AssumeRole", context);
    if (input.Tags !== undefined || input.TransitiveTagKeys !== undefined) await requireTrusted(ctx, role, arnAsSent, "sts:TagSession", context);
    if (input.SourceIdentity !== undefined) await requireTrusted(ctx, role, arnAsSent, "sts:SetSourceIdentity", context);

    const seconds = (input.DurationSeconds as number | undefined) ?? ROLE_DURATION.default;
    if (seconds > role.maxSessionDuration) throw Errors.durationOverRoleMaximum();
    // Any temporary credentials count as chaining, GetSessionToken's included (spec §5).
    const chained = caller.session !== null;
    if (chained && seconds > ROLE_DURATION.chainedMax) throw Errors.durationOverChainingLimit();

    const policyArns = ((input.PolicyArns as readonly StructInput[] | undefined) ?? []).map((p) => p.arn as string);
    const packed =
      policy !== undefined || policyArns.length > 0 || input.Tags !== undefined ? packedPolicySize(policy, policyArns, tags) : undefined;

    // Expiration is printed to the second; the session ends exactly at the printed instant.
    const expiresAt = Math.floor((now + seconds * 1000) / 1000) * 1000;
    const claims: SessionClaims = {
      accessKeyId: newTemporaryAccessKeyId(deps.random),
      secretAccessKey: newSecretAccessKey(deps.random),
      accountId: role.accountId,
      principal: { type: "role", roleId: role.roleId, roleName: role.roleName, sessionName },
      // MFA reaches the role session only from the caller's own MFA session: "the temporary
      // credentials returned by AssumeRole do not include MFA information" for a code given to
      // AssumeRole itself, while field reports see an MFA GetSessionToken session's flag carried
      // on (spec §4.4; the exact rule is UNCONFIRMED).
      mfa: caller.session?.mfa ?? null,
      issuedAt: now,
      expiresAt,
      sourceAccessKeyId: caller.accessKeyId,
      role: { chained, sourceIdentity, policy: policy ?? null, policyArns, tags, transitiveTagKeys },
    };
    const sessionToken = await deps.tokens.seal(claims);
    // The token carries the session policies and tags as given: one too long to be opened again
    // must not be issued. Refused as AWS refuses too much packed policy, with the token's share of
    // its room as the percentage (ours: AWS packs differently).
    if (sessionToken.length > MAX_TOKEN_CHARS) {
      throw Errors.packedPolicyTooLarge(Math.ceil((sessionToken.length / MAX_TOKEN_CHARS) * 100), tags.length > 0 ? "session tags" : "session policy");
    }
    // AssumedRoleUser before Credentials as AWS sends them (spec §2.2); the place of
    // PackedPolicySize and SourceIdentity is UNCONFIRMED (model order here).
    return {
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: assumedRoleArn(role.accountId, role.roleName, sessionName),
      },
      Credentials: {
        AccessKeyId: claims.accessKeyId,
        SecretAccessKey: claims.secretAccessKey,
        SessionToken: sessionToken,
        Expiration: new Date(expiresAt),
      },
      PackedPolicySize: packed,
      SourceIdentity: input.SourceIdentity as string | undefined,
    };
  },
};
