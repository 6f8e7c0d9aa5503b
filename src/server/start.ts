/**
 * Start and stop the server: open the data directory, make sure the account exists (printing
 * the first root key once), listen, and on close stop accepting, let in-flight requests finish,
 * then close the store.
 */
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { systemClock, type Clock } from "../clock.js";
import { ensureAccount, issueRootKey } from "../iam/account.js";
import { cryptoRandom, type Random } from "../ids.js";
import { createApp } from "./app.js";
import { loadTokenKeys, openStore, type StoreConfig } from "./open-store.js";
import type { Deps } from "../deps.js";
import { createHttpServer, type HttpTimeouts, type TlsMaterial } from "./http.js";
import { instrument } from "./instrumentation.js";
import type { AuditSink } from "../audit/audit-log.js";
import { startAdminServer, type AdminServer } from "../metrics/admin-server.js";
import { createServerMetrics, type ServerMetrics } from "../metrics/server-metrics.js";
import type { Logger } from "./logger.js";
import { FileBlobStore } from "../store/blobs.js";
import type { AttemptLimits, Store } from "../store/store.js";

export interface ServeOptions extends StoreConfig {
  host: string;
  port: number;
  /** Where S3 object bodies are kept (default: the data directory's `blobs`). */
  blobDir?: string;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  /** How long to wait for slow or silent clients (http.ts DEFAULT_HTTP_TIMEOUTS for any left out). */
  http?: Partial<HttpTimeouts>;
  /** Serve HTTPS with this certificate and key (server/tls.ts reads them); plain HTTP without. */
  tls?: TlsMaterial;
  /** Where the one-time root key notice goes (stderr in the CLI). */
  notice: (text: string) => void;
  /** Where audit records go (audit/audit-log.ts); none when left out. The caller closes it after close(). */
  audit?: AuditSink;
  /** This server's metrics (default: its own, of this process). */
  metrics?: ServerMetrics;
  /**
   * /healthz and /metrics on this port (on `host`) instead of the service's; "elsewhere": not
   * served by this process at all (a `serve --workers` primary serves them).
   */
  adminPort?: number | "elsewhere";
  /** MFA devices' and long-term keys' attempt limits (lockout/limits.ts); the defaults when left out. */
  attemptLimits?: AttemptLimits;
}

export interface RunningServer {
  url: string;
  /** With a numeric adminPort: where /healthz and /metrics are. */
  adminUrl?: string;
  /** The store it serves from (open until close). */
  store: Store;
  close(): Promise<void>;
}

/**
 * Opens the store and makes it ready to serve: token keys loaded (a wrong master key fails
 * here), the account created on first start with its root key announced once. `serve --workers`
 * runs this once in the primary, before any worker starts, so workers never race to initialize.
 */
export async function prepareStore(options: ServeOptions): Promise<Deps> {
  const { store, secrets } = await openStore(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  try {
    const deps = {
      store,
      secrets,
      clock,
      random,
      logger: options.logger,
      tokens: await loadTokenKeys({ store, secrets, clock, random }),
      // Beside the database: the data directory's, unless --blob-dir names one (with --db, one
      // that every process reaches, so that each serves every object).
      blobs: new FileBlobStore(options.blobDir ?? join(options.dataDir, "blobs")),
      attemptLimits: options.attemptLimits,
    };
    const { accountId, created } = await ensureAccount(deps);
    if (created) {
      const key = await issueRootKey(deps, accountId);
      options.notice(
        `initialized account ${accountId} in ${options.db ? "the database" : options.dataDir}\n` +
          `root access key (shown once):\n` +
          `  AWS_ACCESS_KEY_ID=${key.accessKeyId}\n` +
          `  AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}\n`,
      );
    }
    return deps;
  } catch (e) {
    await store.close();
    throw e;
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const prepared = await prepareStore(options);
  const { store } = prepared;
  const metrics = options.metrics ?? createServerMetrics();
  const endpoints = { metrics: () => metrics.render() };
  let admin: AdminServer | undefined;
  let instrumented;
  try {
    instrumented = await instrument(prepared, { audit: options.audit, metrics });
    if (typeof options.adminPort === "number") admin = await startAdminServer(options.host, options.adminPort, endpoints);
  } catch (e) {
    await store.close();
    throw e;
  }
  const { deps, observe } = instrumented;

  const server = createHttpServer(createApp(deps, observe), deps, options.http, options.tls, options.adminPort === undefined ? endpoints : "elsewhere");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (e: unknown) => {
    await admin?.close();
    throw e;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${address.port}`,
    adminUrl: admin?.url,
    store,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })
        .then(() => admin?.close())
        .then(() => store.close());
      return closing;
    },
  };
}
