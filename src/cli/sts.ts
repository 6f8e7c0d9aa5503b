/** `mfa-sts get-session-token` / `get-caller-identity`: wires the process to the client command. */
import { homedir } from "node:os";
import { runStsCommand } from "../client/command.js";
import { GET_CALLER_IDENTITY, GET_SESSION_TOKEN } from "../client/operations.js";
import { packageVersion } from "./version.js";

export function runDropIn(command: "get-session-token" | "get-caller-identity", argv: string[]): Promise<number> {
  const operation = command === "get-session-token" ? GET_SESSION_TOKEN : GET_CALLER_IDENTITY;
  return runStsCommand(operation, argv, {
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    terminalColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
    version: packageVersion(),
  });
}
