/**
 * Which `serve` processes run on a data directory: each leaves `serve.<pid>.pid` in it while it
 * runs, so that `mfa-sts restore` can refuse to swap the database under a running server. A
 * marker outlives a process killed with SIGKILL; it then names a process that is gone (or, pid
 * reused, one that is not `serve`), and is ignored.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MARKER = /^serve\.(\d+)\.pid$/;

/** Marks `dataDir` as served by this process; the returned function takes the mark away. */
export function markServing(dataDir: string, pid: number = process.pid): () => void {
  const file = join(dataDir, `serve.${pid}.pid`);
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** Is `pid` a live process that could be `mfa-sts serve`? */
function servingProcessAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, but another user's.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // Where /proc tells (Linux), a reused pid of some other program is not a server.
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").includes("serve");
  } catch {
    return true;
  }
}

/** The pids of the `serve` processes running on `dataDir` (none when it does not exist). */
export function servingPids(dataDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  return names
    .map((name) => MARKER.exec(name))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .filter(servingProcessAlive);
}
