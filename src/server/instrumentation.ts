/**
 * What a running server tells about itself: each request to the audit trail (when there is one)
 * and the metrics, once answered; each lockout to both and to the log at warn (deps.events).
 */
import type { AuditSink } from "../audit/audit-log.js";
import { auditTrail } from "../audit/audit-trail.js";
import { observeAll, type RequestObserver } from "../audit/observed-request.js";
import type { SecurityEvents } from "../audit/security-events.js";
import type { Deps } from "../deps.js";
import type { ServerMetrics } from "../metrics/server-metrics.js";

export interface Instrumented {
  /** The deps with `events` set: what the operations get. */
  readonly deps: Deps;
  /** For createApp: told of every request. */
  readonly observe: RequestObserver;
}

export async function instrument(deps: Deps, options: { audit: AuditSink | undefined; metrics: ServerMetrics }): Promise<Instrumented> {
  const { metrics } = options;
  metrics.watchTokenKeys(deps);
  // A request refused before its caller was known is recorded for the account this endpoint serves.
  const [account] = await deps.store.listAccounts();
  const trail = options.audit && auditTrail(options.audit, { endpointAccountId: account?.id ?? "", random: deps.random });
  const events: SecurityEvents = {
    lockout(event) {
      trail?.lockout(event);
      metrics.lockout(event.kind);
      // Serial numbers and key ids are not secrets; the code that locked it is never passed.
      deps.logger.warn(
        { kind: event.kind, accountId: event.accountId, subject: event.subject, failures: event.failures, lockedUntil: new Date(event.lockedUntil).toISOString(), requestId: event.requestId },
        "locked after too many failures",
      );
    },
  };
  const observers: RequestObserver[] = [(r) => metrics.request(r)];
  if (trail !== undefined) observers.push((r) => trail.request(r));
  return {
    deps: { ...deps, events },
    observe: observeAll(observers, (err) => deps.logger.error({ err }, "observing a request failed")),
  };
}
