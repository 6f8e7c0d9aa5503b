/**
 * The policies that apply to an IAM user (their own inline and attached policies and those of
 * their groups, spec §2.2), to an IAM role (its inline and attached policies), and a role
 * session's own session policies (AssumeRole's Policy and PolicyArns), compiled for evaluation.
 * This is on the path of every request a user or role session makes, so:
 * - a set is read from the store at most once per USER_TTL_MS per principal and process (the same
 *   bound as session users); a change made through this process forgets it at once, and so do
 *   the sibling workers of one `serve` before the change answers (principal-caches.ts);
 * - a document is parsed and compiled once per process and kept by its text, so re-reading the
 *   set costs no parsing;
 * - decisions are remembered with the set (DESIGN.md decision 8): the engine is pure, so the same
 *   policies, action, resource and context give the same answer. The context holds the time to
 *   the second, and the set itself lives at most USER_TTL_MS, so a remembered decision is reused
 *   only within that second — by a client repeating a call, which is what costs under load.
 */
import { awsManagedPolicy } from "../aws-managed-policies.js";
import { LruCache, LruCachesBy } from "../lru-cache.js";
import { compilePolicy, evaluate, parsePolicy, type CompiledPolicy, type Evaluation, type EvaluationRequest } from "../policy/index.js";
import type { RoleSessionClaims } from "../tokens/claims.js";
import type { EffectivePolicy, Store } from "../store/store.js";
import { USER_TTL_MS } from "./session-users.js";

export interface NamedPolicy {
  /** The inline or managed policy's name: the simulator's SourcePolicyId. */
  readonly id: string;
  /** The simulator's SourcePolicyType: "IAM Policy" as AWS was recorded answering (spec §7.4). */
  readonly type: string;
  /** A managed policy's ARN (AWS names it in explicit-deny messages); null for inline policies. */
  readonly arn: string | null;
  readonly policy: CompiledPolicy;
}

export const IAM_POLICY = "IAM Policy";
const MAX_USERS = 10_000;
const MAX_DOCUMENTS = 10_000;

const compiled = new LruCache<string, CompiledPolicy>(MAX_DOCUMENTS);

/**
 * A stored document, compiled. Stored documents passed validation when they were written; they
 * are parsed under the inline rules, which accept every document the managed rules accept.
 */
export function compiledDocument(text: string): CompiledPolicy {
  let policy = compiled.get(text);
  if (!policy) {
    policy = compilePolicy(parsePolicy(text, { managed: false }));
    compiled.set(text, policy);
  }
  return policy;
}

/** The stored set, compiled; AWS managed policies' documents come from the catalogue. */
export function namedPolicies(effective: readonly EffectivePolicy[]): NamedPolicy[] {
  const named: NamedPolicy[] = [];
  for (const p of effective) {
    const document = p.document ?? (p.arn === null ? undefined : awsManagedPolicy(p.arn)?.document);
    // An attachment to an AWS managed policy this release does not know grants nothing.
    if (document === undefined) continue;
    named.push({ id: p.name, type: IAM_POLICY, arn: p.kind === "managed" ? p.arn : null, policy: compiledDocument(document) });
  }
  return named;
}

const MAX_DECISIONS = 1000;

/** The policies that apply to a user as read at one moment, and the decisions made on them since. */
export class PolicySet {
  private readonly decisions = new Map<string, Evaluation<NamedPolicy>>();

  constructor(
    readonly policies: readonly NamedPolicy[],
    /** When they were read (ms, the injected clock). */
    readonly at: number,
  ) {}

  /** The engine's evaluation, remembered by everything it depends on. */
  evaluate(request: EvaluationRequest): Evaluation<NamedPolicy> {
    let key = `${request.action}\0${request.resource}`;
    for (const [name, value] of request.context) key += `\0${name}\0${typeof value === "string" ? value : value.join("\u0001")}`;
    let result = this.decisions.get(key);
    if (result === undefined) {
      result = evaluate(this.policies, request);
      // Requests choose the key (resource names, user agents): the memory is bounded.
      if (this.decisions.size >= MAX_DECISIONS) this.decisions.clear();
      this.decisions.set(key, result);
    }
    return result;
  }
}

const caches = new LruCachesBy<Store, string, PolicySet>(MAX_USERS);

/** A set read at most once per USER_TTL_MS per key and process; undefined (not kept) when `read` finds no principal. */
async function rememberedSet(
  store: Store,
  key: string,
  now: number,
  read: () => Promise<readonly NamedPolicy[] | undefined>,
): Promise<PolicySet | undefined> {
  const cache = caches.of(store);
  const hit = cache.get(key);
  if (hit && now - hit.at >= 0 && now - hit.at < USER_TTL_MS) return hit;
  const policies = await read();
  if (policies === undefined) {
    cache.delete(key);
    return undefined;
  }
  const set = new PolicySet(policies, now);
  cache.set(key, set);
  return set;
}

/** The user's policies (by unique id); undefined when the user no longer exists. */
export function userPolicies(store: Store, accountId: string, userId: string, now: number): Promise<PolicySet | undefined> {
  return rememberedSet(store, `${accountId}/${userId}`, now, async () => {
    const effective = await store.effectivePolicies(accountId, userId);
    return effective && namedPolicies(effective);
  });
}

/** The role's policies (by unique id); undefined when the role no longer exists. */
export function rolePolicies(store: Store, accountId: string, roleId: string, now: number): Promise<PolicySet | undefined> {
  return rememberedSet(store, `${accountId}/${roleId}`, now, async () => {
    const effective = await store.effectiveRolePolicies(accountId, roleId);
    return effective && namedPolicies(effective);
  });
}

/**
 * A role session's session policies; undefined when it has none (then they limit nothing). A
 * managed session policy deleted since AssumeRole grants nothing any more (UNCONFIRMED: AWS's
 * behaviour for a deleted one is not documented; granting nothing is the safe reading).
 */
export async function sessionPolicies(
  store: Store,
  accountId: string,
  session: Pick<RoleSessionClaims, "policy" | "policyArns">,
  now: number,
): Promise<PolicySet | undefined> {
  if (session.policy === null && session.policyArns.length === 0) return undefined;
  const key = `${accountId}\0session\0${session.policy ?? ""}\0${session.policyArns.join("\0")}`;
  return rememberedSet(store, key, now, async () => {
    const named: NamedPolicy[] = [];
    if (session.policy !== null) named.push({ id: "SessionPolicy", type: SESSION_POLICY, arn: null, policy: compiledDocument(session.policy) });
    for (const arn of session.policyArns) {
      const document = await managedDocument(store, accountId, arn);
      if (document !== undefined) named.push({ id: arn, type: SESSION_POLICY, arn, policy: compiledDocument(document) });
    }
    return named;
  });
}

const SESSION_POLICY = "Session Policy";

/** A managed policy's default document by ARN: the catalogue's for AWS managed ones, the store's otherwise. */
export async function managedDocument(store: Store, accountId: string, arn: string): Promise<string | undefined> {
  const aws = awsManagedPolicy(arn);
  if (aws) return aws.document;
  const policy = await store.getPolicy(accountId, arn);
  if (!policy) return undefined;
  return (await store.getPolicyVersion(accountId, arn, policy.defaultVersionId))?.document;
}

/** Drops this process's entries (principal-caches.ts decides when). */
export function dropUserPolicies(store: Store): void {
  caches.forget(store);
}
