/**
 * `mfa-sts audit`'s filters over records read back from the log: by user, event name, time and
 * failure. A record is a parsed JSON line: an API call (cloudtrail-record.ts) or a service event
 * (security-events.ts); anything else in the file is not matched.
 */

/** A record as read back: only the members the filters and the table look at are typed. */
export interface AuditEntry {
  readonly eventTime?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly sourceIPAddress?: string;
  readonly errorCode?: string;
  readonly userIdentity?: {
    readonly type?: string;
    readonly arn?: string;
    readonly userName?: string;
    readonly accessKeyId?: string;
    readonly sessionContext?: { readonly sessionIssuer?: { readonly userName?: string } };
  };
  readonly serviceEventDetails?: { readonly userName?: string | null; readonly accessKeyId?: string };
}

export interface AuditFilter {
  /** A user name, a role name (its sessions), an ARN, an access key id, or `root`. */
  readonly user?: string;
  readonly event?: string;
  /** ms since the epoch: events at or after it. */
  readonly since?: number;
  /** Only calls that failed (those with an errorCode). */
  readonly failed?: boolean;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a duration back from `now` (`90s`, `15m`, `1h`, `2d`, `1w`) or a moment in ISO 8601
 * (`2024-09-14T08:00:00Z`). undefined when it is neither.
 */
export function parseSince(text: string, now: number): number | undefined {
  const relative = /^(\d+)([smhdw])$/.exec(text);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** The names a record answers to for --user. */
function userNames(entry: AuditEntry): string[] {
  const id = entry.userIdentity ?? {};
  const names = [id.userName, id.arn, id.accessKeyId, id.sessionContext?.sessionIssuer?.userName];
  if (id.type === "Root") names.push("root");
  const details = entry.serviceEventDetails;
  if (details !== undefined) names.push(details.userName === null ? "root" : (details.userName ?? undefined), details.accessKeyId);
  return names.filter((n): n is string => n !== undefined);
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.user !== undefined && !userNames(entry).includes(filter.user)) return false;
  if (filter.event !== undefined && entry.eventName !== filter.event) return false;
  if (filter.failed === true && entry.errorCode === undefined) return false;
  if (filter.since !== undefined) {
    const at = entry.eventTime === undefined ? NaN : Date.parse(entry.eventTime);
    if (!(at >= filter.since)) return false;
  }
  return true;
}

/** Who, in the table's words: the user, `root`, ROLE/SESSION for a role session, else the key id. */
export function userOf(entry: AuditEntry): string {
  const id = entry.userIdentity ?? {};
  if (id.type === "Root") return "root";
  if (id.userName !== undefined) return id.userName;
  const session = /:assumed-role\/(.+)$/.exec(id.arn ?? "");
  if (session) return session[1]!;
  const details = entry.serviceEventDetails;
  if (details?.userName !== undefined) return details.userName ?? "root";
  return id.accessKeyId ?? details?.accessKeyId ?? "";
}
