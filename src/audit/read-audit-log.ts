/**
 * Reads an audit log back, one record per line. A line that is not a JSON object (the last one,
 * cut short by a kill -9) is reported by its number and skipped.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { AuditEntry } from "./audit-filter.js";

export interface ReadResult {
  readonly entries: AuditEntry[];
  /** 1-based numbers of the lines that were not records. */
  readonly skipped: number[];
}

export async function readAuditLog(input: Readable, keep: (entry: AuditEntry) => boolean): Promise<ReadResult> {
  const entries: AuditEntry[] = [];
  const skipped: number[] = [];
  let number = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    number++;
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      skipped.push(number);
      continue;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) skipped.push(number);
    else if (keep(parsed as AuditEntry)) entries.push(parsed as AuditEntry);
  }
  return { entries, skipped };
}
