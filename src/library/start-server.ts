/**
 * `startServer()` for tests in other projects: the real server — the very startServer that
 * `mfa-sts serve` runs — in the calling process, on 127.0.0.1 and a free port, over a fresh
 * temporary data directory that close() removes. With an account, a root key, and helpers that
 * make users through the IAM API. One process, as `serve --workers 1`: requests are served by the
 * event loop of the test itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../clock.js";
import { cryptoRandom } from "../ids.js";
import { createLogger } from "../server/logger.js";
import { startServer as startHttpServer, type RunningServer } from "../server/start.js";
import { IamApi } from "./iam-api.js";
import { prepareRootAccess, type RootAccess } from "./root-key.js";
import { createTestUser, type AccessKeyCredentials, type CreateUserOptions, type MfaStsUser } from "./test-users.js";

/** Options of {@link startServer}; all optional. */
export interface StartServerOptions {
  /**
   * The data directory (SQLite database and master key). Default: a new temporary directory,
   * removed by `close()`; a directory given here is kept.
   */
  dataDir?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port, chosen by the system. */
  port?: number;
  /** A PostgreSQL URL (`postgres://USER@HOST:PORT/DB`) instead of the embedded store; needs `masterKey`. */
  db?: string;
  /** The master key, base64 of 32 bytes (what `MFA_STS_MASTER_KEY` holds). Default: the data directory's `master.key`. */
  masterKey?: string;
  /**
   * The server's clock, in ms since the epoch (default `Date.now`). Move it to expire a session or
   * to reach the next TOTP step without waiting.
   */
  clock?: () => number;
  /** pino level of the server's logs on stderr: `silent`, `error` (default), `warn`, `info`, `debug`. */
  logLevel?: "silent" | "fatal" | "error" | "warn" | "info" | "debug" | "trace";
  /** The account id (12 digits) for a new data directory. Default: a random one. */
  accountId?: string;
}

/** A started server: its address, its account, and helpers. */
export interface MfaStsServer {
  /** `http://127.0.0.1:PORT`: the endpoint for every service (STS, IAM, S3). */
  readonly url: string;
  readonly port: number;
  /** The data directory (a temporary one unless given): what `createVerifier({ dataDir })` reads. */
  readonly dataDir: string;
  /** The account's 12-digit id. */
  readonly accountId: string;
  /** An access key of the account's root user. */
  readonly root: AccessKeyCredentials;
  /**
   * Makes an IAM user through the IAM API (signed as root): with an access key unless
   * `accessKey: false`, and with an enabled virtual MFA device when `mfa: true`. When IAM refuses
   * (a name taken, an invalid name), rejects with IAM's code and message in the error's text.
   */
  createUser(userName: string, options?: CreateUserOptions): Promise<MfaStsUser>;
  /** `{ accessKeyId, secretAccessKey }` of a user (or of `root`), for an SDK client's `credentials`. */
  credentials(user: { accessKeyId?: string; secretAccessKey?: string; userName?: string }): AccessKeyCredentials;
  /** Stops accepting connections, lets requests in flight finish, closes the store, removes a temporary data directory. */
  close(): Promise<void>;
  /** `await using srv = await startServer()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts an mfa-sts server in this process.
 *
 * @example
 * ```ts
 * await using srv = await startServer();
 * const alice = await srv.createUser("alice", { mfa: true });
 * const sts = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: srv.credentials(alice) });
 * await sts.send(new GetSessionTokenCommand({ SerialNumber: alice.mfaSerial, TokenCode: await alice.code() }));
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<MfaStsServer> {
  const temporary = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "mfa-sts-")) : undefined;
  const dataDir = options.dataDir ?? temporary!;
  const removeTemporary = () => {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  };
  const now = options.clock ?? Date.now;
  const clock: Clock = { now: () => now() };
  const storeConfig = { dataDir, ...(options.db !== undefined && { db: options.db }), ...(options.masterKey !== undefined && { masterKey: options.masterKey }) };

  let running: RunningServer;
  let access: RootAccess;
  try {
    // Before the server opens the store itself, as `mfa-sts init` before `serve`.
    access = await prepareRootAccess(storeConfig, clock, cryptoRandom, options.accountId);
    running = await startHttpServer({
      ...storeConfig,
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 0,
      logger: createLogger(options.logLevel ?? "error"),
      clock,
      random: cryptoRandom,
      // The account and its key exist already: there is never a first-start notice to print.
      notice: () => {},
    });
  } catch (e) {
    removeTemporary();
    throw e;
  }
  const { url, store } = running;
  const { accountId, root } = access;
  const iam = new IamApi(url, root, now);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= running.close().finally(removeTemporary));
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    accountId,
    root,
    createUser: (userName, userOptions) => createTestUser({ iam, store, accountId, now }, userName, userOptions),
    credentials(user) {
      if (!user.accessKeyId || !user.secretAccessKey) {
        throw new Error(`${user.userName ?? "this user"} has no access key: create the user without { accessKey: false }`);
      }
      return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
