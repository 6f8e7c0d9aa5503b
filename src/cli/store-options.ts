/** The options every command that opens the store takes (issue 6): where, and with which key. */
import { InvalidArgumentError, type Command } from "commander";
import { homedir } from "node:os";
import { defaultDataDir } from "../server/data-dir.js";
import type { StoreConfig } from "../server/open-store.js";

/** What the command line says about the store: exactly what openStore takes. */
export type StoreOptions = StoreConfig;

const dataDirHelp = "data directory of the embedded SQLite store (default: $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts)";

function positive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a whole number, at least 1");
  return Number(value);
}

/** Adds --data-dir, --db, --master-key-file (and, for serve, the pool settings). */
export function storeOptions(command: Command, pool = false): Command {
  command
    .option("--data-dir <dir>", dataDirHelp)
    .option("--db <url>", "a PostgreSQL database shared by several processes: postgres://USER@HOST:PORT/DB (default: $MFA_STS_DB)")
    .option("--master-key-file <file>", "the master key (base64 of 32 bytes) in a file, instead of $MFA_STS_MASTER_KEY");
  if (pool) {
    command
      .option("--db-pool-size <n>", "PostgreSQL connections per process", positive, 10)
      .option("--db-timeout-ms <ms>", "how long to wait for a PostgreSQL connection or statement before answering 503", positive, 5000);
  }
  return command;
}

export function storeConfig(opts: { dataDir?: string; db?: string; masterKeyFile?: string; dbPoolSize?: number; dbTimeoutMs?: number }): StoreOptions {
  return {
    dataDir: opts.dataDir ?? defaultDataDir(process.env, homedir()),
    db: opts.db ?? (process.env.MFA_STS_DB || undefined),
    masterKey: process.env.MFA_STS_MASTER_KEY,
    masterKeyFile: opts.masterKeyFile,
    poolSize: opts.dbPoolSize,
    dbTimeoutMs: opts.dbTimeoutMs,
  };
}
