/** `mfa-sts init`: create (or find) the account and issue a root access key. */
import { systemClock } from "../clock.js";
import { ensureAccount, InitError, issueRootKey } from "../iam/account.js";
import { cryptoRandom } from "../ids.js";
import { loadTokenKeys, openStore } from "../server/open-store.js";
import type { Store } from "../store/store.js";
import type { StoreOptions } from "./store-options.js";

export async function runInit(options: StoreOptions & { accountId?: string; json: boolean }): Promise<number> {
  let store: Store | undefined;
  try {
    const opened = await openStore(options);
    store = opened.store;
    const deps = { ...opened, clock: systemClock, random: cryptoRandom };
    // The token keys double as the marker of the master key: created here, sealed by it, they make
    // a later start with another key fail clearly instead of answering 500s.
    await loadTokenKeys(deps);
    const { accountId } = await ensureAccount(deps, options.accountId);
    const key = await issueRootKey(deps, accountId);
    const result = { AccountId: accountId, AccessKeyId: key.accessKeyId, SecretAccessKey: key.secretAccessKey };
    process.stdout.write(
      options.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : Object.entries(result).map(([k, v]) => `${k}: ${v}\n`).join(""),
    );
    return 0;
  } catch (e) {
    if (e instanceof InitError) {
      process.stderr.write(`mfa-sts init: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await store?.close();
  }
}
