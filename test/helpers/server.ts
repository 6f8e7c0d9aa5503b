/**
 * A real server on 127.0.0.1 (random port) over a temporary data directory, with an account and
 * a root key created the way `mfa-sts init` creates them. The clock can be moved by tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureAccount, issueRootKey } from "../../src/iam/account.js";
import { cryptoRandom } from "../../src/ids.js";
import { openDataDir } from "../../src/server/data-dir.js";
import { silentLogger } from "../../src/server/logger.js";
import type { HttpTimeouts } from "../../src/server/http.js";
import { startServer } from "../../src/server/start.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials. */
  sessionToken?: string;
}

/** A clock that reads real time plus an offset the test controls, or a fixed instant. */
export class TestClock {
  offsetMs = 0;
  /** When set, the server's time stands still here. */
  fixedMs: number | undefined;
  now = (): number => this.fixedMs ?? Date.now() + this.offsetMs;
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  accountId: string;
  root: Credentials;
  clock: TestClock;
  close(): Promise<void>;
}

export function tempDir(prefix = "mfa-sts-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(options: { accountId?: string; http?: Partial<HttpTimeouts> } = {}): Promise<TestServer> {
  const dataDir = tempDir();
  const clock = new TestClock();
  const opened = openDataDir(dataDir, undefined);
  const deps = { ...opened, clock, random: cryptoRandom, logger: silentLogger };
  const { accountId } = await ensureAccount(deps, options.accountId ?? "123456789012");
  const key = await issueRootKey(deps, accountId);
  await opened.store.close();

  const server = await startServer({
    dataDir,
    host: "127.0.0.1",
    port: 0,
    masterKey: undefined,
    logger: silentLogger,
    clock,
    http: options.http,
    notice: () => {},
  });
  return {
    url: server.url,
    port: Number(new URL(server.url).port),
    dataDir,
    accountId,
    root: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    clock,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
