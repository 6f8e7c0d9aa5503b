/**
 * `mfa-sts serve`: run the endpoint until SIGINT or SIGTERM, then shut down cleanly.
 * With `--workers N` (N > 1; the default is the number of cores) a primary process prepares the
 * store once, then N worker processes share the port (node:cluster) and the store; the primary
 * forwards the stop signal and returns when every worker has finished its in-flight requests.
 * A worker whose primary dies exits. Workers talk through the primary (cluster-messages.ts).
 *
 * The audit log (default DATA_DIR/audit.log; --audit-log FILE or - for stdout; --no-audit-log) has
 * one writer: this process, or with workers the primary. /healthz and /metrics are on the service
 * port, or with --admin-port on their own, served by this process or the primary; with workers a
 * scrape sees them all (metrics/cluster-metrics.ts).
 */
import cluster from "node:cluster";
import { join } from "node:path";
import { AuditLogError, openAuditLog, AUDIT_FILE, type AuditSink } from "../audit/audit-log.js";
import { auditThroughPrimary, linkPrincipalCaches, metricsThroughPrimary, relayBetweenWorkers, tellPrimary, type Relay } from "./cluster-messages.js";
import { InitError } from "../iam/account.js";
import { DEFAULT_ATTEMPT_LIMITS } from "../lockout/limits.js";
import { startAdminServer, type AdminServer } from "../metrics/admin-server.js";
import { processMetrics } from "../metrics/process-metrics.js";
import { createServerMetrics } from "../metrics/server-metrics.js";
import { createLogger } from "../server/logger.js";
import { markServing } from "../server/serving-marker.js";
import { prepareStore, startServer, type ServeOptions } from "../server/start.js";
import { loadTlsFiles } from "../server/tls.js";
import type { StoreOptions } from "./store-options.js";

export type ServeCommandOptions = StoreOptions & {
  host: string;
  port: number;
  logLevel: string;
  workers: number;
  blobDir?: string;
  /** --tls-cert and --tls-key (given together): serve HTTPS. */
  tls?: { certFile: string; keyFile: string };
  /** --audit-log FILE (`-`: stdout); false: --no-audit-log; undefined: DATA_DIR/audit.log. */
  auditLog?: string | false;
  /** --admin-port: /healthz and /metrics there instead of on the service port. */
  adminPort?: number;
  /** --mfa-max-failures, --mfa-lockout-seconds: the attempt limits (lockout/limits.ts; defaults when left out). */
  mfaMaxFailures?: number;
  mfaLockoutSeconds?: number;
};

function serveOptions(options: ServeCommandOptions): ServeOptions {
  const { auditLog: _auditLog, adminPort, mfaMaxFailures, mfaLockoutSeconds, ...rest } = options;
  return {
    ...rest,
    adminPort,
    attemptLimits: {
      maxFailures: mfaMaxFailures ?? DEFAULT_ATTEMPT_LIMITS.maxFailures,
      windowMs: DEFAULT_ATTEMPT_LIMITS.windowMs,
      lockoutMs: mfaLockoutSeconds === undefined ? DEFAULT_ATTEMPT_LIMITS.lockoutMs : mfaLockoutSeconds * 1000,
    },
    // Read and checked in every process (the primary first, so a bad file stops it before any fork).
    tls: options.tls && loadTlsFiles(options.tls),
    logger: createLogger(options.logLevel),
    notice: (text) => process.stderr.write(text),
  };
}

/** Why a port cannot be listened on, in node's words (a worker's error says "bind …" instead). */
const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "address not available",
};

/** The one line (and exit 1) for errors a user can act on; anything else is a crash. */
function startFailureLine(e: unknown, options: ServeCommandOptions): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof InitError || e instanceof AuditLogError) return `mfa-sts serve: ${e.message}`;
  if (code !== undefined && code in LISTEN_FAILURES) {
    // The service port, or --admin-port (node's error names the port it could not have).
    const port = (e as { port?: number }).port ?? options.port;
    return `mfa-sts serve: listen ${code}: ${LISTEN_FAILURES[code]} ${options.host}:${port}`;
  }
  throw e;
}

/** Opens the audit log this process writes (the only process, or the primary), if any. */
function openAudit(options: ServeCommandOptions): Promise<AuditSink | undefined> {
  if (options.auditLog === false) return Promise.resolve(undefined);
  const logger = createLogger(options.logLevel);
  const onError = (err: unknown) => logger.error({ err }, "writing the audit log failed");
  if (options.auditLog !== undefined) return openAuditLog(options.auditLog, onError);
  return openAuditLog(join(options.dataDir, AUDIT_FILE), onError, { createDir: true });
}

/** Says where the admin endpoints are, before the "listening on" line that tells a reader all is up. */
function announceAdmin(url: string | undefined): void {
  if (url !== undefined) process.stderr.write(`admin endpoints (/healthz, /metrics) on ${url}\n`);
}

const stopSignal = (): Promise<void> =>
  new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

export async function runServe(options: ServeCommandOptions): Promise<number> {
  if (cluster.isWorker) return runWorker(options);
  if (options.workers > 1) return runPrimary(options);
  let server;
  let audit: AuditSink | undefined;
  try {
    audit = await openAudit(options);
    server = await startServer({ ...serveOptions(options), audit });
  } catch (e) {
    await audit?.close();
    return failedToStart(e, options);
  }
  const unmark = markDataDir(options);
  // Listen for the signal before saying we listen: whoever reads that line may signal at once.
  const stopped = stopSignal();
  announceAdmin(server.adminUrl);
  process.stderr.write(`listening on ${server.url}\n`);
  await stopped;
  await server.close();
  // After the last request is answered: its record is in the log too.
  await audit?.close();
  unmark();
  return 0;
}

/** `restore` refuses a data directory a server runs on: say so while this one does (SQLite only). */
function markDataDir(options: ServeCommandOptions): () => void {
  return options.db ? () => {} : markServing(options.dataDir);
}

/** Prints why `serve` could not start; its exit code. */
function failedToStart(e: unknown, options: ServeCommandOptions): number {
  process.stderr.write(`${startFailureLine(e, options)}\n`);
  return 1;
}

async function runPrimary(options: ServeCommandOptions): Promise<number> {
  try {
    const deps = await prepareStore(serveOptions(options));
    await deps.store.close();
  } catch (e) {
    return failedToStart(e, options);
  }
  // The one writer of the audit log, and the one who gathers the workers' metrics.
  let audit: AuditSink | undefined;
  let admin: AdminServer | undefined;
  let relay: Relay;
  try {
    audit = await openAudit(options);
    relay = relayBetweenWorkers({ audit });
    if (options.adminPort !== undefined) admin = await startAdminServer(options.host, options.adminPort, { metrics: relay.clusterMetrics });
  } catch (e) {
    await audit?.close();
    return failedToStart(e, options);
  }
  const shutDown = async () => {
    await admin?.close();
    await audit?.close();
  };
  const unmark = markDataDir(options);
  let stopping = false;
  const logger = createLogger(options.logLevel);
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv) });
  const fork = () => cluster.fork();
  const listening = new Promise<string>((resolve, reject) => {
    let ready = 0;
    cluster.on("listening", (worker, address) => {
      ready++;
      if (ready > options.workers) logger.info({ pid: worker.process.pid }, "replacement worker listening");
      if (ready === options.workers) {
        const host = address.addressType === 6 ? `[${address.address}]` : address.address;
        resolve(`${options.tls ? "https" : "http"}://${host}:${address.port}`);
      }
    });
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return;
      if (ready < options.workers) return reject(new Error(relay.firstFailure() ?? `mfa-sts serve: a worker exited during start-up (code ${code})`));
      // Keep N workers. Should all die at once, the port is closed until a replacement listens.
      logger.warn({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
      fork();
    });
  });
  for (let i = 0; i < options.workers; i++) fork();
  const stopped = stopSignal();
  try {
    const url = await listening;
    announceAdmin(admin?.url);
    process.stderr.write(`listening on ${url} (${options.workers} workers)\n`);
  } catch (e) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.stderr.write(`${(e as Error).message}\n`);
    await shutDown();
    unmark();
    return 1;
  }
  await stopped;
  stopping = true;
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          // Exited, and its channel read to the end: every audit record it sent has arrived.
          let left = worker.isConnected() ? 2 : 1;
          const done = () => --left === 0 && resolve();
          worker.once("exit", done);
          if (left === 2) worker.once("disconnect", done);
          worker.process.kill("SIGTERM");
        }),
    ),
  );
  await shutDown();
  unmark();
  return 0;
}

async function runWorker(options: ServeCommandOptions): Promise<number> {
  let server;
  // Records go to the primary, the one writer; a scrape here asks the primary for every worker's metrics.
  const audit = options.auditLog === false ? undefined : auditThroughPrimary();
  const metrics = createServerMetrics({ render: () => askPrimary() });
  const askPrimary = metricsThroughPrimary([processMetrics(), metrics.registry]);
  try {
    server = await startServer({
      ...serveOptions(options),
      notice: () => {},
      audit,
      metrics,
      // With --admin-port the primary serves /healthz and /metrics.
      adminPort: options.adminPort === undefined ? undefined : "elsewhere",
    });
  } catch (e) {
    // Every worker meets the same failure: the primary prints the first one.
    await tellPrimary({ mfaSts: "start-failed", line: startFailureLine(e, options) });
    cluster.worker?.disconnect();
    return 1;
  }
  linkPrincipalCaches(server.store);
  const stopped = stopSignal();
  // The primary gone (even by kill -9): stop too, rather than serve on unsupervised.
  const orphaned = new Promise<void>((resolve) => process.once("disconnect", () => resolve()));
  await Promise.race([stopped, orphaned]);
  await server.close();
  await audit?.close();
  // The IPC channel to the primary would keep this process alive.
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
  return 0;
}

/**
 * Workers stream S3 bodies in 64 KiB buffers. With V8's default young generation (16 MiB
 * semi-spaces) those buffers survive into the old generation and only full collections free
 * them: a 1 GiB upload grew each worker by ~38 MiB and GETs spent ~0.23 ms per request in
 * collections. 1 MiB semi-spaces free them in scavenges (bench/results.md, issue 13). Node
 * options the operator gave win.
 */
export function workerExecArgv(given: readonly string[]): string[] {
  return given.some((arg) => arg.startsWith("--max-semi-space-size")) ? [...given] : [...given, "--max-semi-space-size=1"];
}
