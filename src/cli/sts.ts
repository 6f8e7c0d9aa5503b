/** `mfa-sts get-session-token` / `get-caller-identity`: wires the process to the client command. */
import { writeSync } from "node:fs";
import { homedir } from "node:os";
import { runStsCommand } from "../client/command.js";
import { GET_CALLER_IDENTITY, GET_SESSION_TOKEN } from "../client/operations.js";
import { packageVersion } from "./version.js";

export async function runDropIn(command: "get-session-token" | "get-caller-identity", argv: string[]): Promise<number> {
  const operation = command === "get-session-token" ? GET_SESSION_TOKEN : GET_CALLER_IDENTITY;
  const stdout = new DirectStdout();
  const code = await runStsCommand(operation, argv, {
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
    stdout: (text) => stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // Getters: only --output table asks, and process.stdout is made on first use (see DirectStdout).
    get stdoutIsTty() {
      return process.stdout.isTTY === true;
    },
    get terminalColumns() {
      return process.stdout.isTTY ? process.stdout.columns : undefined;
    },
    version: packageVersion(),
  });
  if (stdout.failure === undefined) return code;
  // aws CLI v2 buffers its output; Python's flush at exit meets the error and says so.
  process.stderr.write(`Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>\n${stdout.failure}\n`);
  return PYTHON_EXIT_FLUSH_FAILED;
}

/** Python's exit status when flushing stdout at exit fails. */
const PYTHON_EXIT_FLUSH_FAILED = 120;

/**
 * Writes to file descriptor 1 directly. process.stdout is a stream whose creation loads node's
 * stream modules: ~3 ms of the ~15 ms the drop-ins take beyond node's own start-up (issue 15).
 * Node writes to files, pipes and terminals synchronously on Linux anyway. A pipe left
 * non-blocking by another process can refuse a write (EAGAIN): the rest then goes through
 * process.stdout, which waits. Any other failure (a closed pipe, a full disk) drops the output
 * and is reported at the end as aws's Python reports it (node's stream would throw an unhandled
 * error with a stack trace).
 */
class DirectStdout {
  /** Python's line for the write error, e.g. "BrokenPipeError: [Errno 32] Broken pipe". */
  failure: string | undefined;

  write(text: string): void {
    if (this.failure !== undefined) return;
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(1, bytes, written);
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      if (error.code !== "EAGAIN") {
        this.failure = pythonOsError(error);
        return;
      }
      // The stream reports a pipe closed later as an 'error' event: noted, not a crash.
      if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", (later: NodeJS.ErrnoException) => (this.failure ??= pythonOsError(later)));
      process.stdout.write(bytes.subarray(written));
    }
  }
}

/** How Python names an OSError: "OSError: [Errno 28] No space left on device" (BrokenPipeError for EPIPE). */
function pythonOsError(error: NodeJS.ErrnoException): string {
  const description = /^[A-Z0-9]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
  const kind = error.code === "EPIPE" ? "BrokenPipeError" : "OSError";
  return `${kind}: [Errno ${Math.abs(error.errno ?? 0)}] ${description.charAt(0).toUpperCase()}${description.slice(1)}`;
}
