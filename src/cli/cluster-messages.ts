/**
 * What the processes of one `serve --workers N` say to each other. Workers never talk directly:
 * a worker sends to the primary, which passes on to the others.
 *
 * - start-failed: a worker could not start; the primary prints the first reason once.
 * - forget-principals: a worker deleted or renamed a user, or changed policies, groups or
 *   attachments. Every other worker forgets its cached session users and user policies
 *   (auth/principal-caches.ts) and says so; when all have, the primary tells the first worker,
 *   whose call only then answers. So once the caller has the answer, no worker of this server
 *   serves the old user or the old policies. A worker that does not answer within USER_TTL_MS no
 *   longer matters: its cached entries have expired by then.
 * - audit: one audit record (a JSON line). The primary is the audit log's one writer: lines from
 *   every worker, each whole, in the order they arrive.
 * - metrics-request / metrics / metrics-failed: a worker asked for GET /metrics asks the primary
 *   for the whole server's, and gets the text or why there is none.
 * - worker-metrics-request / worker-metrics: the primary asks every worker for its own metrics
 *   and adds them up (metrics/cluster-metrics.ts); so does the primary's --admin-port.
 */
import cluster, { type Worker } from "node:cluster";
import type { Registry } from "prom-client";
import type { AuditSink } from "../audit/audit-log.js";
import { metricsGathering, registriesJson, type RegistryJson } from "../metrics/cluster-metrics.js";
import { forgetLocalPrincipals, onPrincipalsForgotten } from "../auth/principal-caches.js";
import { USER_TTL_MS } from "../auth/session-users.js";
import type { Store } from "../store/store.js";

export type ClusterMessage =
  | { mfaSts: "start-failed"; line: string }
  | { mfaSts: "forget-principals"; id: number }
  | { mfaSts: "principals-forgotten"; id: number }
  | { mfaSts: "audit"; lines: string[] }
  | { mfaSts: "metrics-request"; id: number }
  | { mfaSts: "metrics"; id: number; text: string }
  | { mfaSts: "metrics-failed"; id: number; reason: string }
  | { mfaSts: "worker-metrics-request"; id: number }
  | { mfaSts: "worker-metrics"; id: number; registries: RegistryJson[] };

const isClusterMessage = (m: unknown): m is ClusterMessage =>
  typeof m === "object" && m !== null && typeof (m as { mfaSts?: unknown }).mfaSts === "string";

/** Worker side: sends a message to the primary, resolved once it is on its way. */
export function tellPrimary(message: ClusterMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

export interface Relay {
  /** The first start-up failure a worker reported. */
  firstFailure(): string | undefined;
  /** Every worker's metrics, added up, as Prometheus text. */
  clusterMetrics(): Promise<string>;
}

const connectedWorkers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());

/**
 * Primary side: passes forget-principals on and collects the answers; writes the workers' audit
 * records to `audit`; gathers the workers' metrics, for a worker's scrape or the primary's own.
 */
export function relayBetweenWorkers(options: { audit?: AuditSink } = {}): Relay {
  let firstFailure: string | undefined;
  const metrics = metricsGathering<Worker>((worker, id) => worker.send({ mfaSts: "worker-metrics-request", id } satisfies ClusterMessage));
  const clusterMetrics = () => metrics.gather(connectedWorkers());
  // Forgets being passed on, by the primary's own id: who asked (and their id), who has yet to answer.
  let nextId = 1;
  const pending = new Map<number, { asker: Worker; askerId: number; waiting: Set<Worker> }>();
  const settle = (id: number) => {
    const entry = pending.get(id);
    if (entry === undefined || entry.waiting.size > 0) return;
    pending.delete(id);
    if (entry.asker.isConnected()) entry.asker.send({ mfaSts: "principals-forgotten", id: entry.askerId } satisfies ClusterMessage);
  };
  cluster.on("message", (from: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.mfaSts === "start-failed") {
      firstFailure ??= message.line;
    } else if (message.mfaSts === "audit") {
      for (const line of message.lines) options.audit?.write(line);
    } else if (message.mfaSts === "metrics-request") {
      const answer = (reply: ClusterMessage) => from.isConnected() && from.send(reply);
      clusterMetrics().then(
        (text) => answer({ mfaSts: "metrics", id: message.id, text }),
        (e: unknown) => answer({ mfaSts: "metrics-failed", id: message.id, reason: (e as Error).message }),
      );
    } else if (message.mfaSts === "worker-metrics") {
      metrics.answered(from, message.id, message.registries);
    } else if (message.mfaSts === "forget-principals") {
      const id = nextId++;
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w !== from && w.isConnected());
      pending.set(id, { asker: from, askerId: message.id, waiting: new Set(others) });
      for (const worker of others) worker.send({ mfaSts: "forget-principals", id } satisfies ClusterMessage);
      settle(id);
    } else if (message.mfaSts === "principals-forgotten") {
      pending.get(message.id)?.waiting.delete(from);
      settle(message.id);
    }
  });
  // A worker that exits will not answer: nobody waits for it.
  cluster.on("exit", (gone: Worker) => {
    for (const [id, entry] of pending) {
      entry.waiting.delete(gone);
      settle(id);
    }
    metrics.gone(gone);
  });
  return { firstFailure: () => firstFailure, clusterMetrics };
}

/**
 * Worker side: the audit log, written by the primary. `close` resolves once every record handed
 * over has left this process (the primary reads them before it sees this worker disconnect).
 */
export function auditThroughPrimary(): AuditSink {
  // One message per turn of the event loop with every line written in it: a message per request
  // cost serve about a fifth of its STS throughput (3,973 vs 4,907 req/s: IPC serialization).
  let pending: string[] = [];
  let scheduled = false;
  let closed = false;
  const inFlight = new Set<Promise<void>>();
  const send = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const sent = tellPrimary({ mfaSts: "audit", lines: pending });
    pending = [];
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
  };
  return {
    write(line) {
      if (closed) return;
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(send);
      }
    },
    async close() {
      closed = true;
      send();
      await Promise.all(inFlight);
    },
  };
}

/** How long a worker waits for the primary's answer (longer than the primary waits for the workers). */
const METRICS_WAIT_MS = 10_000;

/**
 * Worker side: answers the primary's requests with these registries (this worker's share of the
 * metrics), and returns how this worker gets the whole server's text for its own GET /metrics:
 * from the primary.
 */
export function metricsThroughPrimary(registries: readonly Registry[]): () => Promise<string> {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
  process.on("message", (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.mfaSts === "worker-metrics-request") {
      registriesJson(registries).then(
        (json) => tellPrimary({ mfaSts: "worker-metrics", id: message.id, registries: json }),
        // Unanswered, the primary's scrape fails after its wait (and says so).
        () => {},
      );
      return;
    }
    if (message.mfaSts !== "metrics" && message.mfaSts !== "metrics-failed") return;
    const waiter = waiting.get(message.id);
    if (message.mfaSts === "metrics") waiter?.resolve(message.text);
    else waiter?.reject(new Error(message.reason));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => settle(() => reject(new Error("the primary did not answer"))), METRICS_WAIT_MS);
      const settle = (then: () => void) => {
        clearTimeout(timer);
        waiting.delete(id);
        then();
      };
      waiting.set(id, { resolve: (text) => settle(() => resolve(text)), reject: (e) => settle(() => reject(e)) });
      void tellPrimary({ mfaSts: "metrics-request", id });
    });
}

/** Worker side: this worker's cache forgets with its siblings (see the module comment). */
export function linkPrincipalCaches(store: Store): void {
  let nextId = 1;
  const answers = new Map<number, () => void>();
  onPrincipalsForgotten(
    () =>
      new Promise<void>((resolve) => {
        const id = nextId++;
        const done = () => {
          clearTimeout(timer);
          answers.delete(id);
          resolve();
        };
        const timer = setTimeout(done, USER_TTL_MS);
        answers.set(id, done);
        void tellPrimary({ mfaSts: "forget-principals", id });
      }),
  );
  process.on("message", (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.mfaSts === "forget-principals") {
      // Asked by a sibling (through the primary): forget, then answer with the same id.
      forgetLocalPrincipals(store);
      void tellPrimary({ mfaSts: "principals-forgotten", id: message.id });
    } else if (message.mfaSts === "principals-forgotten") {
      answers.get(message.id)?.();
    }
  });
}
