/**
 * The policies that apply to an IAM user (their own inline and attached policies and those of
 * their groups, spec §2.2), compiled for evaluation. This is on the path of every request a user
 * makes, so:
 * - the set is read from the store at most once per USER_TTL_MS per user and process (the same
 *   bound as session users); a change made through this process forgets it at once, and so do
 *   the sibling workers of one `serve` before the change answers (principal-caches.ts);
 * - a document is parsed and compiled once per process and kept by its text, so re-reading the
 *   set costs no parsing.
 */
import { awsManagedPolicy } from "../iam/aws-managed-policies.js";
import { LruCache } from "../lru-cache.js";
import { compilePolicy, parsePolicy, type CompiledPolicy } from "../policy/index.js";
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

interface Entry {
  policies: readonly NamedPolicy[];
  at: number;
}

const caches = new WeakMap<Store, LruCache<string, Entry>>();

/** The user's policies (by unique id); undefined when the user no longer exists. */
export async function userPolicies(store: Store, accountId: string, userId: string, now: number): Promise<readonly NamedPolicy[] | undefined> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new LruCache(MAX_USERS);
    caches.set(store, cache);
  }
  const key = `${accountId}/${userId}`;
  const hit = cache.get(key);
  if (hit && now - hit.at >= 0 && now - hit.at < USER_TTL_MS) return hit.policies;
  const effective = await store.effectivePolicies(accountId, userId);
  if (effective === undefined) {
    cache.delete(key);
    return undefined;
  }
  const policies = namedPolicies(effective);
  cache.set(key, { policies, at: now });
  return policies;
}

/** Drops this process's entries (principal-caches.ts decides when). */
export function dropUserPolicies(store: Store): void {
  caches.delete(store);
}
