/**
 * The master key: 32 bytes, from MFA_STS_MASTER_KEY (base64, for deployments) or from the
 * 0600 file `master.key` in the data directory, created on first use (embedded default).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, openSync, readFileSync, closeSync, writeSync, fsyncSync, statSync } from "node:fs";
import { join } from "node:path";

export const MASTER_KEY_FILE = "master.key";

export function decodeMasterKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes, base64-encoded`);
  return key;
}

/** The data directory's key: `given` when there is one, else master.key (created on first use). */
export function loadMasterKey(dataDir: string, given: Buffer | string | undefined): Buffer {
  if (Buffer.isBuffer(given)) return given;
  if (given !== undefined && given !== "") return decodeMasterKey(given, "MFA_STS_MASTER_KEY");
  const file = join(dataDir, MASTER_KEY_FILE);
  try {
    const fd = openSync(file, "wx", 0o600); // exclusive: never overwrite an existing key
    try {
      writeSync(fd, `${randomBytes(32).toString("base64")}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return decodeMasterKey(readFileSync(file, "utf8"), file);
}
