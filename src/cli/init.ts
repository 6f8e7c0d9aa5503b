/** `mfa-sts init`: create (or find) the account and issue a root access key. */
import { systemClock } from "../clock.js";
import { ensureAccount, InitError, issueRootKey } from "../iam/account.js";
import { cryptoRandom } from "../ids.js";
import { openDataDir } from "../server/data-dir.js";
import { silentLogger } from "../server/logger.js";

export async function runInit(options: { dataDir: string; accountId?: string; json: boolean }): Promise<number> {
  const { store, secrets } = openDataDir(options.dataDir, process.env.MFA_STS_MASTER_KEY);
  try {
    const deps = { store, secrets, clock: systemClock, random: cryptoRandom, logger: silentLogger };
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
