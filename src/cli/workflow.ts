/** `mfa-sts login | export | exec | status`: wires the process to the client workflow. */
import { homedir } from "node:os";
import type { WorkflowIo } from "../client/login.js";
import { openTerminal } from "../client/tty.js";
import { packageVersion } from "./version.js";

export { exitCodeOf } from "../client/errors.js";

export function processIo(): WorkflowIo {
  return {
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    terminal: openTerminal,
    now: () => Date.now(),
    version: packageVersion(),
  };
}
