/**
 * A real server on 127.0.0.1 (random port, injected clock) that keeps an audit log, as
 * `serve --audit-log FILE` does, started in process so that tests can move its clock. `stop`
 * closes it and flushes the log, then gives back its records.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/audit-log.js";
import { ensureAccount, issueRootKey } from "../../src/iam/account.js";
import { cryptoRandom } from "../../src/ids.js";
import { openDataDir } from "../../src/server/data-dir.js";
import { silentLogger } from "../../src/server/logger.js";
import { startServer } from "../../src/server/start.js";
import { TestClock, tempDir, type Credentials } from "./server.js";

export interface AuditedServer {
  url: string;
  dataDir: string;
  accountId: string;
  root: Credentials;
  clock: TestClock;
  auditFile: string;
  /** Closes the server and its log; the log's text. */
  stop(): Promise<string>;
}

export async function startAuditedServer(accountId = "123456789012"): Promise<AuditedServer> {
  const dataDir = tempDir();
  const clock = new TestClock();
  const opened = openDataDir(dataDir, undefined);
  const deps = { ...opened, clock, random: cryptoRandom, logger: silentLogger };
  await ensureAccount(deps, accountId);
  const key = await issueRootKey(deps, accountId);
  await opened.store.close();
  const auditFile = join(dataDir, "audit.log");
  const failures: unknown[] = [];
  const audit = await openAuditLog(auditFile, (e) => failures.push(e));
  const server = await startServer({ dataDir, host: "127.0.0.1", port: 0, masterKey: undefined, logger: silentLogger, clock, notice: () => {}, audit });
  return {
    url: server.url,
    dataDir,
    accountId,
    root: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    clock,
    auditFile,
    async stop() {
      await server.close();
      await audit.close();
      if (failures.length > 0) throw failures[0];
      return readFileSync(auditFile, "utf8");
    },
  };
}
