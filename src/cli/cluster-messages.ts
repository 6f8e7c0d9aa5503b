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
 */
import cluster, { type Worker } from "node:cluster";
import { forgetLocalPrincipals, onPrincipalsForgotten } from "../auth/principal-caches.js";
import { USER_TTL_MS } from "../auth/session-users.js";
import type { Store } from "../store/store.js";

export type ClusterMessage =
  | { mfaSts: "start-failed"; line: string }
  | { mfaSts: "forget-principals"; id: number }
  | { mfaSts: "principals-forgotten"; id: number };

const isClusterMessage = (m: unknown): m is ClusterMessage =>
  typeof m === "object" && m !== null && typeof (m as { mfaSts?: unknown }).mfaSts === "string";

/** Worker side: sends a message to the primary, resolved once it is on its way. */
export function tellPrimary(message: ClusterMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * Primary side: passes forget-principals on and collects the answers. Returns a reader of the
 * first start-up failure a worker reported.
 */
export function relayBetweenWorkers(): () => string | undefined {
  let firstFailure: string | undefined;
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
    } else if (message.mfaSts === "forget-principals") {
      const id = nextId++;
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w !== from && w.isConnected());
      pending.set(id, { asker: from, askerId: message.id, waiting: new Set(others) });
      for (const worker of others) worker.send({ mfaSts: "forget-principals", id } satisfies ClusterMessage);
      settle(id);
    } else {
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
  });
  return () => firstFailure;
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
