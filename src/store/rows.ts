/**
 * The tables' rows as both backends read them (same columns, times as ms since the epoch), the
 * records made from them, and the paging they share: one mapping for SQLite and PostgreSQL.
 */
import type { AccessKey, AccessKeyStatus, MfaDevice, MfaDeviceKind, Page, Tag, User } from "./store.js";

export interface UserRow {
  user_id: string;
  account_id: string;
  user_name: string;
  path: string;
  created_at: number;
}

export interface KeyRow {
  access_key_id: string;
  account_id: string;
  user_name: string | null;
  sealed_secret: string;
  status: AccessKeyStatus;
  created_at: number;
  last_used_at: number | null;
  last_used_region: string | null;
  last_used_service: string | null;
}

export interface DeviceRow {
  serial_number: string;
  account_id: string;
  kind: MfaDeviceKind;
  name: string;
  path: string;
  sealed_seed: string;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  tags: string | Tag[];
  created_at: number;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  assigned: number | boolean;
  enabled_at: number | null;
  last_step: number | null;
  drift_steps: number;
  // the assigned user, when there is one
  u_user_id: string | null;
  u_user_name: string | null;
  u_path: string | null;
  u_created_at: number | null;
}

/** Access keys with their owner's name (NULL: the root user). */
export const KEY_SELECT = `
  SELECT k.access_key_id, k.account_id, u.user_name, k.sealed_secret, k.status, k.created_at,
         k.last_used_at, k.last_used_region, k.last_used_service
  FROM access_keys k LEFT JOIN users u ON u.user_id = k.user_id`;

/** Devices with the columns of the user they are enabled for. */
export const DEVICE_SELECT = `
  SELECT d.serial_number, d.account_id, d.kind, d.name, d.path, d.sealed_seed, d.tags, d.created_at,
         d.assigned, d.enabled_at, d.last_step, d.drift_steps,
         u.user_id AS u_user_id, u.user_name AS u_user_name, u.path AS u_path, u.created_at AS u_created_at
  FROM mfa_devices d LEFT JOIN users u ON u.user_id = d.user_id`;

export const toUser = (r: UserRow): User => ({
  accountId: r.account_id,
  userId: r.user_id,
  userName: r.user_name,
  path: r.path,
  createdAt: new Date(r.created_at),
});

export const toKey = (r: KeyRow): AccessKey => ({
  accessKeyId: r.access_key_id,
  accountId: r.account_id,
  userName: r.user_name,
  sealedSecret: r.sealed_secret,
  status: r.status,
  createdAt: new Date(r.created_at),
  lastUsed:
    r.last_used_at === null
      ? null
      : { date: new Date(r.last_used_at), region: r.last_used_region ?? "", service: r.last_used_service ?? "" },
});

export const toDevice = (r: DeviceRow): MfaDevice => ({
  serialNumber: r.serial_number,
  accountId: r.account_id,
  kind: r.kind,
  name: r.name,
  path: r.path,
  sealedSeed: r.sealed_seed,
  tags: (typeof r.tags === "string" ? (JSON.parse(r.tags) as Tag[]) : r.tags).map((t) => ({ key: t.key, value: t.value })),
  createdAt: new Date(r.created_at),
  assignment:
    r.assigned === true || r.assigned === 1
      ? {
          user:
            r.u_user_id === null
              ? null
              : toUser({
                  user_id: r.u_user_id,
                  account_id: r.account_id,
                  user_name: r.u_user_name!,
                  path: r.u_path!,
                  created_at: r.u_created_at!,
                }),
          enabledAt: new Date(r.enabled_at!),
        }
      : null,
  lastStep: r.last_step,
  driftSteps: r.drift_steps,
});

/**
 * A page from `limit + 1` rows read in order: the extra row only says more follow, and the
 * page's `next` is the sort key of its last item.
 */
export function pageOf<R, T>(rows: readonly R[], limit: number, toItem: (row: R) => T, sortKey: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit).map(toItem);
  return rows.length > limit ? { items, next: sortKey(items[items.length - 1]!) } : { items };
}
