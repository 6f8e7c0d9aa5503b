/**
 * The audit trail of one server: every request that reached authentication, and every lockout,
 * as one CloudTrail-shaped JSON line each, handed to the sink (a file, stdout, or — in a
 * `serve --workers` worker — the primary, the one writer).
 */
import type { Random } from "../ids.js";
import type { AuditSink } from "./audit-log.js";
import { cloudTrailRecord } from "./cloudtrail-record.js";
import type { ObservedRequest } from "./observed-request.js";
import { lockoutRecord, type LockoutEvent } from "./security-events.js";

export interface AuditTrail {
  request(observed: ObservedRequest): void;
  lockout(event: LockoutEvent): void;
}

export function auditTrail(sink: AuditSink, context: { endpointAccountId: string; random: Pick<Random, "uuid"> }): AuditTrail {
  return {
    request(observed) {
      const record = cloudTrailRecord(observed, { eventId: context.random.uuid(), endpointAccountId: context.endpointAccountId });
      if (record !== undefined) sink.write(JSON.stringify(record));
    },
    lockout(event) {
      sink.write(JSON.stringify(lockoutRecord(event, context.random.uuid())));
    },
  };
}
