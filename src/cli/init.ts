/** `mfa-sts init`: create (or find) the account and issue a root access key. */
import { systemClock } from "../clock.js";
import { ensureAccount, InitError, issueRootKey } from "../iam/account.js";
import { cryptoRandom } from "../ids.js";
import { openStore } from "../server/open-store.js";
import { TokenKeys } from "../tokens/token-keys.js";
import type { StoreOptions } from "./store-options.js";
import { silentLogger } from "../server/logger.js";

export async function runInit(options: StoreOptions & { accountId?: string; json: boolean }): Promise<number> {
  let opened;
  try {
    opened = await openStore({ ...options, masterKey: process.env.MFA_STS_MASTER_KEY });
  } catch (e) {
    if (e instanceof InitError) {
      process.stderr.write(`mfa-sts init: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { store, secrets } = opened;
  try {
    const deps = { store, secrets, clock: systemClock, random: cryptoRandom, logger: silentLogger };
    // The token keys double as the marker of the master key: created here, sealed by it, they make
    // a later start with another key fail clearly instead of answering 500s.
    await TokenKeys.load(deps);
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
    await store.close();
  }
}
