/**
 * `mfa-sts mfa import`: register a TOTP hardware token (a vendor serial such as GAHT12345678 and
 * its base32 seed) and enable it for an IAM user or the root user, so the hardware serial form
 * works with GetSessionToken as AWS documents it. The seed can come on stdin (`--seed -`) to keep
 * it out of shell history and the process list.
 */
import { systemClock } from "../clock.js";
import { registerHardwareToken } from "../iam/mfa-devices.js";
import { cryptoRandom } from "../ids.js";
import { base32Decode, Base32Error } from "../mfa/seed.js";
import { InitError } from "../iam/account.js";
import { openStore } from "../server/open-store.js";
import type { StoreOptions } from "./store-options.js";

/** IAM's serialNumberType (spec §7.2). */
const SERIAL = /^[\w+=/:,.@-]{9,256}$/;
/** RFC 4226 asks for 128 bits; 80-bit seeds are common in the field, so that is the floor. */
const MIN_SEED_BYTES = 10;

export interface MfaImportOptions extends StoreOptions {
  serial: string;
  seed: string;
  user?: string;
  root: boolean;
  readStdin: () => Promise<string>;
}

export class UsageError extends Error {}

function checkOptions(options: MfaImportOptions): void {
  if ((options.user === undefined) === !options.root) throw new UsageError("give exactly one of --user NAME and --root");
  if (!SERIAL.test(options.serial)) {
    throw new UsageError("--serial must be 9 to 256 characters of letters, digits and _+=/:,.@-");
  }
  if (options.serial.startsWith("arn:")) {
    throw new UsageError(
      "--serial takes a hardware token's own serial (e.g. GAHT12345678); virtual devices are made with CreateVirtualMFADevice",
    );
  }
}

function decodeSeed(text: string): Buffer {
  let seed: Buffer;
  try {
    seed = base32Decode(text.trim());
  } catch (e) {
    if (e instanceof Base32Error) throw new UsageError(`--seed: ${e.message}`);
    throw e;
  }
  if (seed.length < MIN_SEED_BYTES) {
    throw new UsageError(`--seed: a TOTP seed needs at least ${MIN_SEED_BYTES} bytes (16 base32 characters)`);
  }
  return seed;
}

/** Exit codes: 0 registered, 1 refused by the data (no account, no user, taken, limit), 2 bad usage. */
export async function runMfaImport(options: MfaImportOptions): Promise<number> {
  const fail = (code: number, message: string): number => {
    process.stderr.write(`mfa-sts mfa import: ${message}\n`);
    return code;
  };
  let seed: Buffer;
  try {
    checkOptions(options);
    seed = decodeSeed(options.seed === "-" ? await options.readStdin() : options.seed);
  } catch (e) {
    if (e instanceof UsageError) return fail(2, e.message);
    throw e;
  }

  let opened;
  try {
    opened = await openStore(options);
  } catch (e) {
    if (e instanceof InitError) return fail(1, e.message);
    throw e;
  }
  const { store, secrets } = opened;
  try {
    const [account] = await store.listAccounts();
    if (!account) return fail(1, `no account in ${options.db ? "the database" : options.dataDir}; run mfa-sts init (or serve) first`);
    const deps = { store, secrets, clock: systemClock, random: cryptoRandom };
    const userName = options.user ?? null;
    const owner = userName === null ? "the root user" : `user ${userName}`;
    const result = await registerHardwareToken(deps, { accountId: account.id, userName, serialNumber: options.serial, seed });
    switch (result) {
      case "registered":
        process.stdout.write(`registered hardware MFA device ${options.serial} for ${owner} of account ${account.id}\n`);
        return 0;
      case "exists":
        return fail(1, `an MFA device with serial number ${options.serial} already exists`);
      case "no-user":
        return fail(1, `the user with name ${userName} cannot be found`);
      case "limit":
        return fail(1, `${owner} already has 8 MFA devices, AWS's limit`);
    }
  } finally {
    await store.close();
  }
}
