/**
 * The account and its root user. A data directory holds one account; `init` creates it (or
 * finds it) and issues a root access key, as AWS's console would.
 */
import { AwsError } from "../errors.js";
import { newAccountId } from "../ids.js";
import type { StoreDeps } from "../deps.js";
import { issueAccessKey, type IssuedAccessKey } from "./access-keys.js";

export class InitError extends Error {}

/** The data directory's account id, creating the account when there is none. */
export async function ensureAccount(
  deps: Pick<StoreDeps, "store" | "clock" | "random">,
  requestedId?: string,
): Promise<{ accountId: string; created: boolean }> {
  const [existing] = await deps.store.listAccounts();
  if (existing) {
    if (requestedId !== undefined && requestedId !== existing.id) {
      throw new InitError(`this data directory already holds account ${existing.id}, not ${requestedId}`);
    }
    return { accountId: existing.id, created: false };
  }
  const accountId = requestedId ?? newAccountId(deps.random);
  await deps.store.createAccount({ id: accountId, createdAt: new Date(deps.clock.now()) });
  return { accountId, created: true };
}

/** Issues a root access key; a clear error at AWS's quota of two. */
export async function issueRootKey(deps: StoreDeps, accountId: string): Promise<IssuedAccessKey> {
  try {
    return await issueAccessKey(deps, accountId, null);
  } catch (e) {
    if (e instanceof AwsError && e.code === "LimitExceeded") {
      throw new InitError(
        "the root user already has 2 access keys, AWS's limit; delete one first " +
          "(aws iam list-access-keys / aws iam delete-access-key --access-key-id ID)",
      );
    }
    throw e;
  }
}
