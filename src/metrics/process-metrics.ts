/**
 * prom-client's process metrics (CPU, memory, event loop lag, handles, GC, Node version): once per
 * process, however many servers it runs (the tests run many; each collector sets up its own timers
 * and observers). Every server's scrape includes them.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

let registry: Registry | undefined;

export function processMetrics(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
