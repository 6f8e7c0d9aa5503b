/**
 * `mfa-sts audit`'s table: one line per event, columns padded to their widest value, in the
 * order a reader scans them (when, what, who, from where, and how it failed).
 */
import { userOf, type AuditEntry } from "./audit-filter.js";

const COLUMNS: readonly [string, (e: AuditEntry) => string][] = [
  ["TIME", (e) => e.eventTime ?? ""],
  ["SERVICE", (e) => (e.eventSource ?? "").replace(/\.amazonaws\.com$/, "")],
  ["EVENT", (e) => e.eventName ?? ""],
  ["USER", userOf],
  ["SOURCE IP", (e) => e.sourceIPAddress ?? ""],
  ["ERROR", (e) => e.errorCode ?? ""],
];

/** Control characters (a user agent or a name can hold anything) are shown escaped, never sent to the terminal. */
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

export function auditTable(entries: readonly AuditEntry[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...entries.map((e) => COLUMNS.map(([, value]) => printable(value(e))))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd() + "\n").join("");
}
