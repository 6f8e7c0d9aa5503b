/**
 * The embedded default's data directory: the SQLite database and the master key, both private
 * to the user (directory 0700, key 0600).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SecretBox } from "../crypto/secret-box.js";
import { loadMasterKey } from "../crypto/master-key.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";

export const DATABASE_FILE = "mfa-sts.db";

/** `$XDG_DATA_HOME/mfa-sts`, else `~/.local/share/mfa-sts`. */
export function defaultDataDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  return xdg ? join(xdg, "mfa-sts") : join(home, ".local", "share", "mfa-sts");
}

export interface OpenedDataDir {
  store: Store;
  secrets: SecretBox;
}

/** `masterKey`: a key given by the user (decoded, or MFA_STS_MASTER_KEY's text); else master.key. */
export function openDataDir(dir: string, masterKey: Buffer | string | undefined): OpenedDataDir {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secrets = new SecretBox(loadMasterKey(dir, masterKey));
  return { store: new SqliteStore(join(dir, DATABASE_FILE)), secrets };
}
