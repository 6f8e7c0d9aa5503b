/**
 * What the aws CLI drop-ins load at start-up (issue 15): the CommonJS bin and one bundled file of
 * ours (dist/cli/drop-in.cjs, scripts/bundle-cli.js), no package resolved from node_modules, and
 * none of node's modules the command does not use. Start-up time itself is measured in bench/
 * ("CLI wall time"); this checks the causes, which do not vary with the machine's load.
 * Also: a closed stdout ends the command as aws CLI v2's does (the drop-ins write to fd 1 directly).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv, run } from "./helpers/clients.js";
import { BIN } from "./helpers/cli.js";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.js";

const BUNDLE = fileURLToPath(new URL("../dist/cli/drop-in.cjs", import.meta.url));

let server: TestServer;
let preload: string;
beforeAll(async () => {
  server = await startTestServer();
  // Preloaded into the command: at exit, the files CommonJS loaded and node's own modules.
  preload = join(tempDir(), "report-modules.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeSync(2, "\\nMODULES " + JSON.stringify({
      files: Object.keys(require.cache).filter((f) => f !== __filename),
      builtins: process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)),
    }) + "\\n"));\n`,
  );
});
afterAll(() => server?.close());

async function modulesOf(args: string[], env: Record<string, string>): Promise<{ stdout: string; files: string[]; builtins: string[] }> {
  const r = await run(process.execPath, ["-r", preload, BIN, ...args], env);
  const line = /\nMODULES (.*)\n$/.exec(r.stderr);
  expect(line, r.stderr).not.toBeNull();
  expect(r.code, r.stderr).toBe(0);
  return { stdout: r.stdout, ...(JSON.parse(line![1]!) as { files: string[]; builtins: string[] }) };
}

describe("drop-in start-up", () => {
  it("--generate-cli-skeleton: the bin and the bundle; no streams, crypto or network modules", async () => {
    const { stdout, files, builtins } = await modulesOf(["get-session-token", "--generate-cli-skeleton"], clientEnv(undefined));
    expect(stdout).toContain('"DurationSeconds": 0');
    expect(files).toEqual([BIN, BUNDLE]);
    for (const heavy of ["stream", "crypto", "net", "http", "https", "tls", "child_process", "tty"]) expect(builtins).not.toContain(heavy);
  });

  it("a served get-session-token: the same two files (the signer is in the bundle); node:http but not https or child_process", async () => {
    const { stdout, files, builtins } = await modulesOf(["get-session-token", "--endpoint-url", server.url], clientEnv(server.root));
    expect(JSON.parse(stdout).Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(files).toEqual([BIN, BUNDLE]);
    expect(builtins).toContain("http");
    for (const unused of ["https", "tls", "child_process", "tty"]) expect(builtins).not.toContain(unused);
  });
});

/** Runs a command whose stdout is a pipe closed before it writes, or a file that refuses writes (/dev/full). */
function withStdoutClosed(command: string, args: string[], env: Record<string, string>, to: "closed pipe" | "/dev/full" = "closed pipe"): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const full = to === "/dev/full" ? openSync("/dev/full", "w") : undefined;
    const child = spawn(command, args, { env, stdio: ["ignore", full ?? "pipe", "pipe"] });
    if (full !== undefined) closeSync(full);
    child.stdout?.destroy();
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a stdout that cannot be written", () => {
  // aws CLI v2 buffers stdout (unless PYTHONUNBUFFERED is set): Python's flush at exit fails.
  it("ends the command as aws CLI v2's: Python's BrokenPipeError at exit, exit 120", async () => {
    const args = ["get-session-token", "--generate-cli-skeleton"];
    const env = clientEnv(undefined);
    const ours = await withStdoutClosed(process.execPath, [BIN, ...args], env);
    const aws = await withStdoutClosed("/usr/bin/aws", ["sts", ...args], env);
    expect(aws).toEqual({
      code: 120,
      stderr: "Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>\nBrokenPipeError: [Errno 32] Broken pipe\n",
    });
    expect(ours).toEqual(aws);
  });

  it("a full disk (/dev/full) too: Python's OSError at exit, exit 120", async () => {
    const args = ["get-session-token", "--generate-cli-skeleton"];
    const env = clientEnv(undefined);
    const aws = await withStdoutClosed("/usr/bin/aws", ["sts", ...args], env, "/dev/full");
    expect(aws).toEqual({
      code: 120,
      stderr: "Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>\nOSError: [Errno 28] No space left on device\n",
    });
    expect(await withStdoutClosed(process.execPath, [BIN, ...args], env, "/dev/full")).toEqual(aws);
  });
});
