/**
 * `mfa-sts audit`: the events of an audit log that match the filters, as a table or as the
 * records themselves (--output json). Reads the data directory's log unless --audit-log names
 * another (`-`: stdin, say `serve --audit-log -` piped in).
 */
import { createReadStream } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { matches, type AuditFilter } from "../audit/audit-filter.js";
import { AUDIT_FILE, STDOUT } from "../audit/audit-log.js";
import { auditTable } from "../audit/audit-table.js";
import { readAuditLog } from "../audit/read-audit-log.js";
import { formatJson } from "../client/output/json.js";
import { defaultDataDir } from "../server/data-dir.js";

export const AUDIT_OUTPUTS = ["table", "json"] as const;

export interface AuditCommandOptions extends AuditFilter {
  /** Default: the data directory serve uses by default. */
  readonly dataDir?: string;
  readonly auditLog?: string;
  readonly output: (typeof AUDIT_OUTPUTS)[number];
}

export interface AuditIo {
  readonly stdin: Readable;
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function runAudit(options: AuditCommandOptions, io: AuditIo): Promise<number> {
  const path = options.auditLog ?? join(options.dataDir ?? defaultDataDir(process.env, homedir()), AUDIT_FILE);
  const input = path === STDOUT ? io.stdin : createReadStream(path, { encoding: "utf8" });
  let read;
  try {
    read = await readAuditLog(input, (entry) => matches(entry, options));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    io.stderr(`mfa-sts audit: cannot read the audit log ${path}: ${err.code ?? err.message}\n`);
    return 1;
  }
  for (const line of read.skipped) io.stderr(`mfa-sts audit: ${path}:${line} is not an audit record; skipped\n`);
  io.stdout(options.output === "json" ? formatJson(read.entries) : auditTable(read.entries));
  return 0;
}
