/**
 * `serve --workers`: the primary gathers every worker's metrics and adds them up, so one scrape
 * sees the whole server. Each worker answers with its registries as prom-client's JSON; the sum is
 * prom-client's own (AggregatorRegistry.aggregate: counters and histograms summed, each metric's
 * `aggregator` otherwise). The messages are ours (cli/cluster-messages.ts), not prom-client's, so
 * that a late answer or a worker gone mid-scrape is ignored rather than thrown in the primary.
 */
import { AggregatorRegistry, type Registry } from "prom-client";

export type RegistryJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** prom-client gives its workers 5 s; a worker busy for longer fails the scrape (503) rather than leave its counts out. */
const WAIT_MS = 5_000;

export interface MetricsGathering<W> {
  /** Asks each worker for its metrics; resolves with their sum, as Prometheus text. */
  gather(workers: readonly W[]): Promise<string>;
  /** A worker's answer to the request `id`. */
  answered(from: W, id: number, registries: RegistryJson[]): void;
  /** A worker has exited: a scrape no longer waits for it. */
  gone(worker: W): void;
}

export function metricsGathering<W>(ask: (worker: W, id: number) => void): MetricsGathering<W> {
  let nextId = 1;
  const pending = new Map<number, { waiting: Set<W>; answers: RegistryJson[]; settle: (error?: Error) => void }>();
  const finishIfDone = (id: number) => {
    const entry = pending.get(id);
    if (entry !== undefined && entry.waiting.size === 0) entry.settle();
  };
  return {
    gather(workers) {
      return new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => entry.settle(new Error("a worker did not answer in time")), WAIT_MS);
        const entry = {
          waiting: new Set(workers),
          answers: [] as RegistryJson[],
          settle(error?: Error) {
            clearTimeout(timer);
            pending.delete(id);
            if (error) reject(error);
            else AggregatorRegistry.aggregate(this.answers).metrics().then(resolve, reject);
          },
        };
        pending.set(id, entry);
        for (const worker of workers) ask(worker, id);
        finishIfDone(id);
      });
    },
    answered(from, id, registries) {
      const entry = pending.get(id);
      if (entry === undefined || !entry.waiting.delete(from)) return;
      entry.answers.push(...registries);
      finishIfDone(id);
    },
    gone(worker) {
      for (const [id, entry] of pending) {
        entry.waiting.delete(worker);
        finishIfDone(id);
      }
    },
  };
}

/** Worker side: this worker's share, to send to the primary. */
export function registriesJson(registries: readonly Registry[]): Promise<RegistryJson[]> {
  return Promise.all(registries.map((r) => r.getMetricsAsJSON()));
}
