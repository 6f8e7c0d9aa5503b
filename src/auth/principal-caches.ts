/**
 * What this process caches about principals for at most USER_TTL_MS — the user behind a session
 * (session-users.ts) and the policies that apply to a user (user-policies.ts) — and the one way
 * to forget both at once after a change made here: deleting or renaming a user, or any change to
 * policies, groups or attachments. A `serve --workers` worker also tells its siblings (through
 * the primary, cli/cluster-messages.ts) and the change answers only when they have forgotten too.
 *
 * Caches are dropped rather than cleared: a lookup already waiting on the store (read before the
 * change) then files its answer in the dropped cache, not in the one later requests use.
 */
import type { Store } from "../store/store.js";
import { dropSessionUsers } from "./session-users.js";
import { dropUserPolicies } from "./user-policies.js";

/** Forgets in this process only (for this process's own change, or a sibling worker's). */
export function forgetLocalPrincipals(store: Store): void {
  dropSessionUsers(store);
  dropUserPolicies(store);
}

/** Set by a `serve --workers` worker: tells the other workers to forget, resolved when they have (or when waiting longer would not matter). */
let tellSiblings: (() => Promise<void>) | undefined;

export function onPrincipalsForgotten(tell: () => Promise<void>): void {
  tellSiblings = tell;
}

/** After a change made here: no stale answer from this process or its siblings. */
export async function forgetPrincipals(store: Store): Promise<void> {
  forgetLocalPrincipals(store);
  await tellSiblings?.();
}
