// Child processes of the bench: every one is tracked and killed when the bench ends, however it ends.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const children = new Set();

export function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL: called from exit paths, nothing may wait). */
export function killAll() {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

process.on("exit", killAll);

/** Stops one child politely, then by force after `graceMs`. */
export function stop(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts a server process that prints `listening on URL` on stderr; resolves with
 * { child, url } once it does. Rejects (and kills it) if it exits first or takes too long.
 */
export function startListening(command, args, { env, timeoutMs = 30_000 } = {}) {
  const child = track(spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] }));
  return new Promise((resolve, reject) => {
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")}: no "listening on" after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    const onData = (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        child.off("exit", onExit);
        // Keep draining stderr so the server never blocks on a full pipe.
        resolve({ child, url: m[1] });
      }
      if (stderr.length > 1e6) stderr = stderr.slice(-1e5);
    };
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} exited (${code ?? signal}) before listening\n${stderr}`));
    };
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", onData);
    child.once("exit", onExit);
  });
}

/** A free TCP port on 127.0.0.1 (for servers that cannot be told to pick one, like moto_server). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion: { code, stdout, stderr, ms }. */
export function runCommand(command, args, { env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = track(spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    child.stdin.end(); // an empty stdin, as from a closed terminal
  });
}
