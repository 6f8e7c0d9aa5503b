/** The mfa-sts binary as a user runs it: a spawned process with a temporary HOME. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { run, type Run } from "./clients.js";

export const BIN = fileURLToPath(new URL("../../bin/mfa-sts.cjs", import.meta.url));

export function mfaSts(args: string[], env: Record<string, string>): Promise<Run> {
  return run(process.execPath, [BIN, ...args], env);
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything written to stderr until "listening on". */
  banner: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Starts `mfa-sts serve --port 0 …` and waits for its "listening on" line. `detached`: in a
 * process group of its own (which a test can kill whole: process.kill(-pid)).
 */
export function serve(args: string[], env: Record<string, string>, options: { detached?: boolean } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { env, stdio: ["pipe", "pipe", "pipe"], detached: options.detached });
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start: ${stderr}`));
    }, 20_000);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (https?:\/\/\S+)[^\n]*\n/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, banner: stderr, exited });
      }
    });
    child.on("exit", () => {
      clearTimeout(timer);
      reject(new Error(`serve exited early: ${stderr}`));
    });
  });
}

/** The root key `serve` prints in its banner when it initializes a data directory. */
export function rootKeyOf(proc: ServeProcess): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(proc.banner)![1]!,
    secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(proc.banner)![1]!,
  };
}
