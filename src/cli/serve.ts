/**
 * `mfa-sts serve`: run the endpoint until SIGINT or SIGTERM, then shut down cleanly.
 * With `--workers N` (N > 1; the default is the number of cores) a primary process prepares the
 * store once, then N worker processes share the port (node:cluster) and the store; the primary
 * forwards the stop signal and returns when every worker has finished its in-flight requests.
 * A worker whose primary dies exits. Workers talk through the primary (cluster-messages.ts).
 */
import cluster from "node:cluster";
import { linkPrincipalCaches, relayBetweenWorkers, tellPrimary } from "./cluster-messages.js";
import { InitError } from "../iam/account.js";
import { createLogger } from "../server/logger.js";
import { prepareStore, startServer, type ServeOptions } from "../server/start.js";
import type { StoreOptions } from "./store-options.js";

export type ServeCommandOptions = StoreOptions & { host: string; port: number; logLevel: string; workers: number; blobDir?: string };

function serveOptions(options: ServeCommandOptions): ServeOptions {
  return {
    ...options,
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
  if (e instanceof InitError) return `mfa-sts serve: ${e.message}`;
  if (code !== undefined && code in LISTEN_FAILURES) {
    return `mfa-sts serve: listen ${code}: ${LISTEN_FAILURES[code]} ${options.host}:${options.port}`;
  }
  throw e;
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
  try {
    server = await startServer(serveOptions(options));
  } catch (e) {
    return failedToStart(e, options);
  }
  // Listen for the signal before saying we listen: whoever reads that line may signal at once.
  const stopped = stopSignal();
  process.stderr.write(`listening on ${server.url}\n`);
  await stopped;
  await server.close();
  return 0;
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
  let stopping = false;
  const reportedFailure = relayBetweenWorkers();
  const logger = createLogger(options.logLevel);
  const fork = () => cluster.fork();
  const listening = new Promise<string>((resolve, reject) => {
    let ready = 0;
    cluster.on("listening", (worker, address) => {
      ready++;
      if (ready > options.workers) logger.info({ pid: worker.process.pid }, "replacement worker listening");
      if (ready === options.workers) {
        const host = address.addressType === 6 ? `[${address.address}]` : address.address;
        resolve(`http://${host}:${address.port}`);
      }
    });
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return;
      if (ready < options.workers) return reject(new Error(reportedFailure() ?? `mfa-sts serve: a worker exited during start-up (code ${code})`));
      // Keep N workers. Should all die at once, the port is closed until a replacement listens.
      logger.warn({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
      fork();
    });
  });
  for (let i = 0; i < options.workers; i++) fork();
  const stopped = stopSignal();
  try {
    const url = await listening;
    process.stderr.write(`listening on ${url} (${options.workers} workers)\n`);
  } catch (e) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  await stopped;
  stopping = true;
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once("exit", () => resolve());
          worker.process.kill("SIGTERM");
        }),
    ),
  );
  return 0;
}

async function runWorker(options: ServeCommandOptions): Promise<number> {
  let server;
  try {
    server = await startServer({ ...serveOptions(options), notice: () => {} });
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
  // The IPC channel to the primary would keep this process alive.
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
  return 0;
}
