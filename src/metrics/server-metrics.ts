/**
 * The server's Prometheus metrics (prom-client): requests by service, operation and status; their
 * duration; sessions issued, with and without MFA; MFA codes refused; lockouts; requests the store
 * could not serve; the age of the newest token key; and the process's own (process-metrics.ts).
 *
 * Labels take only bounded values: an operation this server has (else "unknown"), a service it
 * serves, an HTTP status. A request cannot add a series of its own choosing.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ObservedRequest } from "../audit/observed-request.js";
import type { LockoutEvent } from "../audit/security-events.js";
import type { Clock } from "../clock.js";
import type { Store } from "../store/store.js";
import { isMfaCodeRefusal } from "./mfa-failures.js";
import { processMetrics } from "./process-metrics.js";

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** The calls that issue session credentials. */
const ISSUES_SESSIONS: ReadonlySet<string> = new Set(["GetSessionToken", "AssumeRole"]);

/** Seconds: a request answered from memory takes well under a millisecond; one waiting on PostgreSQL, up to its timeout. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServerMetrics {
  /** This server's own metrics (without the process's): what a cluster worker hands the primary. */
  readonly registry: Registry;
  request(observed: ObservedRequest): void;
  lockout(kind: LockoutEvent["kind"]): void;
  /** From now on each scrape reads the token keys' ages from this store. */
  watchTokenKeys(source: { store: Store; clock: Clock }): void;
  /** The text a scrape gets: this process's metrics, or (in a `serve --workers` worker) every worker's. */
  render(): Promise<string>;
}

/** `render`: how a scrape is answered, when not from this process alone (a cluster worker asks the primary). */
export function createServerMetrics(options: { render?: () => Promise<string> } = {}): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: "mfa_sts_requests_total",
    help: "Requests answered, by service, operation (unknown: none of this server's) and HTTP status",
    labelNames: ["service", "action", "status"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "mfa_sts_request_duration_seconds",
    help: "Time from a request's arrival at the app to its answer (streamed S3 bodies: to the answer's start)",
    labelNames: ["service", "action"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const sessions = new Counter({
    name: "mfa_sts_sessions_issued_total",
    help: "Session credentials issued, by call and whether MFA backed it (a code in the call, or the caller's MFA session)",
    labelNames: ["action", "mfa"] as const,
    registers,
  });
  const mfaFailures = new Counter({
    name: "mfa_sts_mfa_failures_total",
    help: "MFA codes refused (wrong or already used), by call",
    labelNames: ["action"] as const,
    registers,
  });
  const lockouts = new Counter({
    name: "mfa_sts_lockouts_total",
    help: "Lockouts begun after too many failures, by what was locked (an MFA device, a long-term access key)",
    labelNames: ["kind"] as const,
    registers,
  });
  const storeErrors = new Counter({
    name: "mfa_sts_store_errors_total",
    help: "Requests answered 503 because the store could not be reached",
    registers,
  });
  let tokenKeys: { store: Store; clock: Clock } | undefined;
  new Gauge({
    name: "mfa_sts_token_key_age_seconds",
    help: "Age of the newest token key sealing session tokens (rotated daily)",
    // Every worker reads the same store; the youngest reading is the freshest.
    aggregator: "min",
    registers,
    async collect() {
      if (tokenKeys === undefined) return;
      try {
        const now = tokenKeys.clock.now();
        const active = (await tokenKeys.store.listTokenKeys()).filter((k) => k.createdAt <= now);
        if (active.length > 0) this.set((now - Math.max(...active.map((k) => k.createdAt))) / 1000);
      } catch {
        // The store is down: the scrape still answers (the store errors show it).
      }
    },
  });
  // Series that exist before their first event: a rate over them starts at zero, not at "no data".
  for (const action of ISSUES_SESSIONS) for (const mfa of ["true", "false"]) sessions.inc({ action, mfa }, 0);
  for (const kind of ["mfa-device", "access-key"]) lockouts.inc({ kind }, 0);

  return {
    registry,
    request(r) {
      const action = r.operation ?? "unknown";
      requests.inc({ service: r.service, action, status: String(r.status) });
      duration.observe({ service: r.service, action }, Math.max(0, r.endedAt - r.startedAt) / 1000);
      if (r.storeUnavailable) storeErrors.inc();
      if (r.error !== undefined && r.operation !== undefined && isMfaCodeRefusal(r.error)) mfaFailures.inc({ action });
      if (r.error === undefined && r.operation !== undefined && ISSUES_SESSIONS.has(r.operation)) {
        const withCode = r.input?.TokenCode !== undefined;
        const fromMfaSession = (r.caller?.session?.mfa ?? null) !== null;
        sessions.inc({ action: r.operation, mfa: String(withCode || fromMfaSession) });
      }
    },
    lockout(kind) {
      lockouts.inc({ kind });
    },
    watchTokenKeys(source) {
      tokenKeys = source;
    },
    render: options.render ?? (() => Registry.merge([processMetrics(), registry]).metrics()),
  };
}
