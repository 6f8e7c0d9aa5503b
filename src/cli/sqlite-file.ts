/**
 * What `backup` and `restore` both do to a standalone copy of the embedded store: check that it
 * is whole and is mfa-sts's, and make it one self-contained file (no -wal beside it).
 */
import { closeSync, fsyncSync, openSync } from "node:fs";
import Database from "better-sqlite3";

/** A failure the user can act on: one line, exit 1. */
export class StoreFileError extends Error {}

/** The store's first table: a database without it is not one of ours. */
const OUR_TABLE = "accounts";

/**
 * Checks `file` (SQLite's integrity_check, our schema) and leaves it in rollback-journal mode, so
 * the file alone is the whole database. Returns its schema version (PRAGMA user_version).
 */
export function checkStoreCopy(file: string, what: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const problems = (db.pragma("integrity_check") as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.length !== 1 || problems[0] !== "ok") throw new StoreFileError(`${what} is damaged: ${problems.slice(0, 3).join("; ")}`);
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(OUR_TABLE);
    if (table === undefined) throw new StoreFileError(`${what} is an SQLite database, but not mfa-sts's (no ${OUR_TABLE} table)`);
    db.pragma("journal_mode = DELETE");
    return db.pragma("user_version", { simple: true }) as number;
  } catch (e) {
    if (e instanceof StoreFileError) throw e;
    if (e instanceof Database.SqliteError) throw new StoreFileError(`${what}: ${e.message}`);
    throw e;
  } finally {
    db?.close();
  }
}

/** Makes a file's (or a rename's, for a directory) content durable before saying it is done. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
