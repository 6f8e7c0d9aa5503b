/** `mfa-sts login | export | exec | status`: wires the process to the client workflow. */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { CliError } from "../client/errors.js";
import type { WorkflowIo } from "../client/login.js";
import { openTerminal } from "../client/tty.js";

export function processIo(): WorkflowIo {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return {
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    terminal: openTerminal,
    now: () => Date.now(),
    version: pkg.version,
  };
}

/** Runs a workflow step, printing a CliError as the drop-ins do; returns the exit code. */
export async function runStep(step: () => Promise<number | void>, io: WorkflowIo): Promise<number> {
  try {
    return (await step()) ?? 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`\n${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
