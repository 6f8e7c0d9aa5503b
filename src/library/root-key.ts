/**
 * The account and a root access key for a started server, as `mfa-sts init` makes them: the
 * account created on first use; the root user's active key reused when the store already has one
 * (a data directory started again does not pile up keys against AWS's quota of two), else issued.
 */
import { ensureAccount, issueRootKey } from "../iam/account.js";
import type { Clock } from "../clock.js";
import type { Random } from "../ids.js";
import { loadTokenKeys, openStore, type StoreConfig } from "../server/open-store.js";

export interface RootAccess {
  accountId: string;
  root: { accessKeyId: string; secretAccessKey: string };
}

export async function prepareRootAccess(config: StoreConfig, clock: Clock, random: Random, accountId?: string): Promise<RootAccess> {
  const { store, secrets } = await openStore(config);
  try {
    const deps = { store, secrets, clock, random };
    // First, as the server does: a master key that does not open the data fails here, saying so.
    await loadTokenKeys(deps);
    const account = await ensureAccount(deps, accountId);
    const existing = (await store.listAccessKeys(account.accountId, null)).find((key) => key.status === "Active");
    if (existing) {
      return {
        accountId: account.accountId,
        root: { accessKeyId: existing.accessKeyId, secretAccessKey: secrets.open(existing.sealedSecret, existing.accessKeyId) },
      };
    }
    const issued = await issueRootKey(deps, account.accountId);
    return { accountId: account.accountId, root: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey } };
  } finally {
    await store.close();
  }
}
