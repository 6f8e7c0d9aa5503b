/**
 * Where the data lives: the embedded SQLite store in a data directory (the default), or a
 * PostgreSQL database shared by several server processes (`--db postgres://…`, issue 6).
 * With PostgreSQL the master key must be given (MFA_STS_MASTER_KEY or --master-key-file): a
 * shared database never gets a key generated on one machine. A key that does not open what the
 * store holds is refused when the token keys load (tokens/token-keys.ts), at start.
 */
import { readFileSync } from "node:fs";
import { SecretBox } from "../crypto/secret-box.js";
import { decodeMasterKey } from "../crypto/master-key.js";
import { InitError } from "../iam/account.js";
import { StoreUnavailableError, type Store } from "../store/store.js";
import { openDataDir } from "./data-dir.js";
import { MasterKeyMismatch, TokenKeys, type TokenKeysDeps } from "../tokens/token-keys.js";

export interface StoreConfig {
  /** The embedded store's directory (and its master.key) when no database URL is given. */
  dataDir: string;
  /** postgres://USER@HOST:PORT/DB */
  db?: string;
  /** base64 of 32 bytes (MFA_STS_MASTER_KEY) */
  masterKey?: string;
  masterKeyFile?: string;
  poolSize?: number;
  /** Waiting for a database connection, and for a statement. */
  dbTimeoutMs?: number;
}

export interface OpenedStore {
  store: Store;
  secrets: SecretBox;
}

function givenMasterKey(config: StoreConfig): Buffer | undefined {
  if (config.masterKey !== undefined && config.masterKey !== "") return decodeMasterKey(config.masterKey, "MFA_STS_MASTER_KEY");
  if (config.masterKeyFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(config.masterKeyFile, "utf8");
  } catch (e) {
    throw new InitError(`cannot read the master key file ${config.masterKeyFile}: ${(e as Error).message}`);
  }
  return decodeMasterKey(text, config.masterKeyFile);
}

export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  let key: Buffer | undefined;
  try {
    key = givenMasterKey(config);
  } catch (e) {
    throw e instanceof InitError ? e : new InitError((e as Error).message);
  }
  if (config.db === undefined || config.db === "") {
    const opened = openDataDir(config.dataDir, key);
    return opened;
  }
  if (!/^postgres(ql)?:\/\//.test(config.db)) throw new InitError("--db takes a PostgreSQL URL: postgres://USER@HOST:PORT/DB");
  if (!key) {
    throw new InitError(
      "with --db the master key must be given: MFA_STS_MASTER_KEY (base64 of 32 bytes) or --master-key-file FILE; " +
        "it is never generated for a shared database",
    );
  }
  const { PostgresStore } = await import("../store/postgres.js");
  try {
    const store = await PostgresStore.open(config.db, {
      ...(config.poolSize !== undefined && { poolSize: config.poolSize }),
      ...(config.dbTimeoutMs !== undefined && { connectionTimeoutMs: config.dbTimeoutMs, statementTimeoutMs: config.dbTimeoutMs }),
    });
    return { store, secrets: new SecretBox(key) };
  } catch (e) {
    if (e instanceof StoreUnavailableError) throw new InitError(`cannot reach the database: ${e.message}`);
    throw e;
  }
}

/** The token keys are sealed by the master key: a different master key cannot open them. */
export async function loadTokenKeys(deps: TokenKeysDeps): Promise<TokenKeys> {
  try {
    return await TokenKeys.load(deps);
  } catch (e) {
    if (e instanceof MasterKeyMismatch) {
      throw new InitError(
        "the master key does not open the stored keys: is it the one they were sealed with (MFA_STS_MASTER_KEY, --master-key-file or the data directory's master.key)?",
      );
    }
    throw e;
  }
}
