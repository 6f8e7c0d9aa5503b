/**
 * `mfa-sts backup --data-dir D --to FILE`: an online, consistent copy of the embedded SQLite store
 * while `serve` keeps running, through SQLite's backup API (better-sqlite3's `db.backup()`).
 *
 * Consistent: every page is copied in one backup step, under one read transaction, so the copy is
 * the database as of one instant (WAL mode lets the server keep writing meanwhile; a write that
 * lands between steps would restart the copy, and with one step there is no "between"). The copy
 * is written beside FILE, checked (integrity_check, our schema), made self-contained (no -wal),
 * fsynced, and only then renamed to FILE: FILE is a whole backup or the previous one.
 *
 * The master key is not in it (it lives in D/master.key or MFA_STS_MASTER_KEY): the backup's
 * secrets are sealed with it, so the key must be kept, apart from the backup.
 */
import { chmodSync, existsSync, rmSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { MASTER_KEY_FILE } from "../crypto/master-key.js";
import { DATABASE_FILE } from "../server/data-dir.js";
import { checkStoreCopy, fsyncPath, StoreFileError } from "./sqlite-file.js";

export interface BackupOptions {
  dataDir: string;
  to: string;
}

/** Pages per backup step: all of them, so the copy is one snapshot (better-sqlite3 clamps it). */
const ALL_PAGES = 0x7fffffff;

async function copyOnline(source: string, target: string): Promise<void> {
  let db: Database.Database | undefined;
  try {
    db = new Database(source, { fileMustExist: true });
    // The server may hold the write lock for a moment; the read that copies only waits for that.
    db.pragma("busy_timeout = 5000");
    await db.backup(target, { progress: () => ALL_PAGES });
  } catch (e) {
    if (e instanceof Database.SqliteError) throw new StoreFileError(`cannot copy ${source}: ${e.message}`);
    throw e;
  } finally {
    db?.close();
  }
}

export async function runBackup(options: BackupOptions): Promise<number> {
  const source = join(options.dataDir, DATABASE_FILE);
  const target = resolve(options.to);
  const partial = `${target}.partial-${process.pid}`;
  try {
    if (!existsSync(source)) throw new StoreFileError(`no database in ${options.dataDir} (${DATABASE_FILE}): nothing to back up`);
    if (!existsSync(dirname(target))) throw new StoreFileError(`cannot write ${options.to}: no directory ${dirname(target)}`);
    rmSync(partial, { force: true });
    await copyOnline(source, partial);
    // Access key ids and sealed secrets: private to the user, as the data directory is.
    chmodSync(partial, 0o600);
    checkStoreCopy(partial, "the copy");
    fsyncPath(partial);
    renameSync(partial, target);
    fsyncPath(dirname(target));
  } catch (e) {
    rmSync(partial, { force: true });
    if (e instanceof StoreFileError) {
      process.stderr.write(`mfa-sts backup: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const keyFile = join(options.dataDir, MASTER_KEY_FILE);
  process.stdout.write(
    `backed up ${source} to ${target} (${statSync(target).size} bytes)\n` +
      `the master key is not in the backup: keep ${existsSync(keyFile) ? keyFile : "MFA_STS_MASTER_KEY"} safe, and apart from it\n`,
  );
  return 0;
}
