/**
 * `mfa-sts restore --from FILE --data-dir D`: puts a backup (`mfa-sts backup`) in place as D's
 * database. Refused while `serve` runs on D (server/serving-marker.ts): swapping the file under
 * open connections would lose writes or mix two databases.
 *
 * Steps, so that a failure at any point leaves D as it was: the backup is copied into D under a
 * temporary name and checked there (integrity, our schema; with a master key at hand, that the
 * key opens the backup's token keys: a backup is useless with another key); then the current
 * database is moved aside — with its -wal and -shm, renamed together, so the old database stays
 * whole and openable as `mfa-sts.db.before-restore` — and the copy renamed into place.
 * A restore never leaves an old -wal beside the new database (SQLite would replay it into it).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../clock.js";
import { SecretBox } from "../crypto/secret-box.js";
import { decodeMasterKey, MASTER_KEY_FILE } from "../crypto/master-key.js";
import { InitError } from "../iam/account.js";
import { cryptoRandom } from "../ids.js";
import { DATABASE_FILE } from "../server/data-dir.js";
import { loadTokenKeys } from "../server/open-store.js";
import { servingPids } from "../server/serving-marker.js";
import { SqliteStore } from "../store/sqlite.js";
import { checkStoreCopy, fsyncPath, StoreFileError } from "./sqlite-file.js";

export interface RestoreOptions {
  from: string;
  dataDir: string;
  /** MFA_STS_MASTER_KEY's text, if set. */
  masterKey?: string;
  masterKeyFile?: string;
}

/** Where the replaced database goes (with its -wal and -shm, under SQLite's names for them). */
export const REPLACED_FILE = `${DATABASE_FILE}.before-restore`;
const SIDECARS = ["", "-wal", "-shm"];

/** The master key serve would use on D, without creating one; undefined when there is none yet. */
function masterKeyFor(options: RestoreOptions): Buffer | undefined {
  try {
    if (options.masterKey !== undefined && options.masterKey !== "") return decodeMasterKey(options.masterKey, "MFA_STS_MASTER_KEY");
    const file = options.masterKeyFile ?? join(options.dataDir, MASTER_KEY_FILE);
    if (options.masterKeyFile === undefined && !existsSync(file)) return undefined;
    return decodeMasterKey(readFileSync(file, "utf8"), file);
  } catch (e) {
    throw new StoreFileError((e as Error).message);
  }
}

/** Fails unless `key` opens the token keys in `file` (what serve checks at start). */
async function checkMasterKey(file: string, key: Buffer): Promise<void> {
  const store = new SqliteStore(file);
  try {
    await loadTokenKeys({ store, secrets: new SecretBox(key), clock: systemClock, random: cryptoRandom });
  } catch (e) {
    if (e instanceof InitError) throw new StoreFileError(`the master key does not open this backup: restore needs the key it was made with (${e.message})`);
    throw e;
  } finally {
    await store.close();
  }
}

/** Renames `from` (with its -wal and -shm) to `to`, replacing what `to` named. */
function moveDatabase(from: string, to: string): void {
  for (const suffix of SIDECARS) rmSync(to + suffix, { force: true });
  for (const suffix of SIDECARS) if (existsSync(from + suffix)) renameSync(from + suffix, to + suffix);
}

export async function runRestore(options: RestoreOptions): Promise<number> {
  const dir = options.dataDir;
  const database = join(dir, DATABASE_FILE);
  const incoming = join(dir, `${DATABASE_FILE}.restoring-${process.pid}`);
  let replaced = false;
  let key: Buffer | undefined;
  try {
    const running = servingPids(dir);
    if (running.length > 0) throw new StoreFileError(`mfa-sts serve is running on ${dir} (pid ${running.join(", ")}): stop it first`);
    if (!existsSync(options.from)) throw new StoreFileError(`no such file: ${options.from}`);
    key = masterKeyFor(options);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    copyFileSync(options.from, incoming);
    chmodSync(incoming, 0o600);
    checkStoreCopy(incoming, options.from);
    if (key !== undefined) {
      await checkMasterKey(incoming, key);
      // The store left it in WAL mode: one file again before it moves.
      checkStoreCopy(incoming, options.from);
    }
    fsyncPath(incoming);
    if (existsSync(database)) {
      moveDatabase(database, join(dir, REPLACED_FILE));
      replaced = true;
    }
    // Nothing of the old database may stay under the new one's names.
    for (const suffix of ["-wal", "-shm"]) rmSync(database + suffix, { force: true });
    renameSync(incoming, database);
    fsyncPath(dir);
  } catch (e) {
    for (const suffix of SIDECARS) rmSync(incoming + suffix, { force: true });
    if (e instanceof StoreFileError) {
      process.stderr.write(`mfa-sts restore: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stdout.write(
    `restored ${options.from} into ${database}` + (replaced ? ` (the database it replaces is ${join(dir, REPLACED_FILE)})` : "") + "\n",
  );
  if (key === undefined) {
    process.stdout.write(
      `the master key is not in a backup: before serve, put the key the backup was made with in ${join(dir, MASTER_KEY_FILE)} (0600) or MFA_STS_MASTER_KEY\n`,
    );
  }
  return 0;
}
