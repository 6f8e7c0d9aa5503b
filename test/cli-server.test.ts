/**
 * `mfa-sts init` and `mfa-sts serve` as spawned processes: output, exit codes, data directory,
 * secrets at rest, signals, restart and kill -9 durability.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clientEnv, sdkClients, sdkError } from "./helpers/clients.js";
import { mfaSts, rootKeyOf, serve } from "./helpers/cli.js";
import { tempDir } from "./helpers/server.js";
import { USER_TTL_MS } from "../src/auth/session-users.js";

/** Resolves once the port refuses new connections (the server stopped accepting); bounded. */
async function refusingConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(port, "127.0.0.1");
      probe.on("connect", () => {
        probe.destroy();
        resolve(false);
      });
      probe.on("error", () => resolve(true));
    });
    if (refused) return;
  }
  throw new Error("the server kept accepting connections after SIGTERM");
}

/** The pids of a process's children (ps from procps). */
function childPids(pid: number): number[] {
  const out = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).trim();
  return out === "" ? [] : out.split(/\s+/).map(Number);
}

/** Resolves once `done()` holds; checked every 20 ms, at most 250 times (5 s). */
async function until(done: () => boolean, failure: string): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(failure);
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e = clientEnv(undefined, extra);
  delete e.AWS_DEFAULT_REGION;
  return e;
}

describe("mfa-sts --help", () => {
  it("lists the commands", async () => {
    const res = await mfaSts(["--help"], env());
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: mfa-sts");
    expect(res.stdout).toMatch(/init/);
    expect(res.stdout).toMatch(/serve/);
  });

  it("--version prints what the drop-ins print", async () => {
    const res = await mfaSts(["--version"], env());
    const dropIn = await mfaSts(["get-session-token", "--version"], env());
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(res).toEqual({ code: 0, stdout: `mfa-sts/${version} node/${process.versions.node}\n`, stderr: "" });
    expect(dropIn).toEqual(res);
  });
});

describe("mfa-sts init", () => {
  it("creates the account and a root key; again: same account, a second key; a third: a clear error", async () => {
    const dir = tempDir();
    const first = await mfaSts(["init", "--data-dir", dir, "--json"], env());
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(Object.keys(a)).toEqual(["AccountId", "AccessKeyId", "SecretAccessKey"]);
    expect(a.AccountId).toMatch(/^\d{12}$/);
    expect(a.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(a.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);

    const second = await mfaSts(["init", "--data-dir", dir], env());
    expect(second.code).toBe(0);
    const lines = second.stdout.split("\n");
    expect(lines[0]).toBe(`AccountId: ${a.AccountId}`);
    expect(lines[1]).toMatch(/^AccessKeyId: AKIA[A-Z2-7]{16}$/);
    expect(lines[2]).toMatch(/^SecretAccessKey: [A-Za-z0-9+/]{40}$/);

    const third = await mfaSts(["init", "--data-dir", dir], env());
    expect(third.code).toBe(1);
    expect(third.stdout).toBe("");
    expect(third.stderr).toBe(
      "mfa-sts init: the root user already has 2 access keys, AWS's limit; delete one first (aws iam list-access-keys / aws iam delete-access-key --access-key-id ID)\n",
    );

    // Secrets at rest: the master key is private, and no secret is in the database in plaintext.
    expect(statSync(join(dir, "master.key")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const stored = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString("latin1")).join("");
    expect(stored).toContain(a.AccessKeyId);
    expect(stored).not.toContain(a.SecretAccessKey);
  });

  it("takes --account-id, refuses a bad one and a different one for an existing account", async () => {
    const dir = tempDir();
    const res = await mfaSts(["init", "--data-dir", dir, "--account-id", "000011112222", "--json"], env());
    expect(JSON.parse(res.stdout).AccountId).toBe("000011112222");
    const bad = await mfaSts(["init", "--data-dir", dir, "--account-id", "12345"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: option '--account-id <id>' argument '12345' is invalid. must be 12 digits");
    const other = await mfaSts(["init", "--data-dir", dir, "--account-id", "999999999999"], env());
    expect(other.code).toBe(1);
    expect(other.stderr).toBe("mfa-sts init: this data directory already holds account 000011112222, not 999999999999\n");
  });

  it("defaults to $XDG_DATA_HOME/mfa-sts, else ~/.local/share/mfa-sts", async () => {
    const plain = env();
    expect((await mfaSts(["init"], plain)).code).toBe(0);
    expect(existsSync(join(plain.HOME!, ".local/share/mfa-sts/mfa-sts.db"))).toBe(true);
    const xdg = tempDir();
    const withXdg = env({ XDG_DATA_HOME: xdg });
    expect((await mfaSts(["init"], withXdg)).code).toBe(0);
    expect(existsSync(join(xdg, "mfa-sts/mfa-sts.db"))).toBe(true);
  });
});

describe("mfa-sts serve", () => {
  it("initializes an empty data dir once, prints the root key to stderr, serves, stops on SIGTERM with exit 0", async () => {
    const dir = tempDir();
    const first = await serve(["--data-dir", dir], env());
    const m = /AWS_ACCESS_KEY_ID=(AKIA\w+)\n {2}AWS_SECRET_ACCESS_KEY=(\S+)\n/.exec(first.banner);
    expect(m, first.banner).not.toBeNull();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const creds = { accessKeyId: m![1]!, secretAccessKey: m![2]! };
    const me = await sdkClients(first.url, creds).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/^arn:aws:iam::\d{12}:root$/);
    first.child.kill("SIGTERM");
    expect(await first.exited).toMatchObject({ code: 0 });

    // A restart prints no key and loses nothing.
    const second = await serve(["--data-dir", dir], env());
    expect(second.banner).not.toContain("AWS_SECRET_ACCESS_KEY");
    expect((await sdkClients(second.url, creds).sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(me.Arn);
    second.child.kill("SIGINT");
    expect(await second.exited).toMatchObject({ code: 0 });
  });

  it("an acknowledged write survives kill -9", async () => {
    const dir = tempDir();
    const init = JSON.parse((await mfaSts(["init", "--data-dir", dir, "--json"], env())).stdout);
    const creds = { accessKeyId: init.AccessKeyId, secretAccessKey: init.SecretAccessKey };
    const first = await serve(["--data-dir", dir], env());
    const created = await sdkClients(first.url, creds).iam.send(new CreateUserCommand({ UserName: "durable" }));
    first.child.kill("SIGKILL");
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" });
    const second = await serve(["--data-dir", dir], env());
    const got = await sdkClients(second.url, creds).iam.send(new GetUserCommand({ UserName: "durable" }));
    expect(got.User!.UserId).toBe(created.User!.UserId);
    second.child.kill("SIGTERM");
    await second.exited;
  });

  it("finishes an in-flight request before exiting on SIGTERM", async () => {
    const dir = tempDir();
    const proc = await serve(["--data-dir", dir], env());
    const { port } = new URL(proc.url);
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const socket = connect(Number(port), "127.0.0.1");
    let response = "";
    socket.on("data", (d) => (response += d.toString()));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    await new Promise((resolve) => socket.on("connect", resolve));
    // Headers now, with Expect: 100-continue so the server says when it holds the request;
    // the signal only then, and the body after it.
    const continued = new Promise<void>((resolve) => socket.on("data", () => response.includes("100 Continue") && resolve()));
    socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await continued;
    proc.child.kill("SIGTERM");
    await refusingConnections(Number(port));
    socket.write(body);
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 403 /);
    expect(response).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("another master key than the data directory's is a clear error, not a crash", async () => {
    const dir = tempDir();
    const first = await serve(["--data-dir", dir], env());
    first.child.kill("SIGTERM");
    expect(await first.exited).toMatchObject({ code: 0 });
    const other = Buffer.alloc(32, 9).toString("base64");
    const res = await mfaSts(["serve", "--data-dir", dir, "--port", "0"], { ...env(), MFA_STS_MASTER_KEY: other });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "mfa-sts serve: the master key does not open the stored keys: is it the one they were sealed with (MFA_STS_MASTER_KEY, --master-key-file or the data directory's master.key)?\n",
    );
  });

  it("--workers 2: one port, one store; SIGTERM stops all; workers do not outlive a killed primary", async () => {
    const dir = tempDir();
    const proc = await serve(["--data-dir", dir, "--workers", "2"], env());
    expect(proc.banner).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)\n$/);
    const creds = rootKeyOf(proc);
    // Enough requests on fresh connections that both workers serve some; all see one store.
    const { iam } = sdkClients(proc.url, creds);
    await iam.send(new CreateUserCommand({ UserName: "shared" }));
    const results = await Promise.all(Array.from({ length: 8 }, () => sdkClients(proc.url, creds).iam.send(new GetUserCommand({ UserName: "shared" }))));
    expect(new Set(results.map((r) => r.User!.UserId)).size).toBe(1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toMatchObject({ code: 0 });
    await refusingConnections(Number(new URL(proc.url).port));

    const again = await serve(["--data-dir", dir, "--workers", "2"], env());
    again.child.kill("SIGKILL");
    await again.exited;
    await refusingConnections(Number(new URL(again.url).port));
  });

  it("--workers 2: a worker that dies is replaced, and the replacement serves", async () => {
    const proc = await serve(["--data-dir", tempDir(), "--workers", "2"], env());
    const root = rootKeyOf(proc);
    let logs = "";
    proc.child.stderr.on("data", (d: Buffer) => (logs += d.toString()));
    const [first, second, ...more] = childPids(proc.child.pid!);
    expect(more).toEqual([]);
    process.kill(first!, "SIGKILL");
    await until(() => logs.includes('"msg":"replacement worker listening"'), "no replacement worker listening");
    const lines = logs.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines).toMatchObject([
      { level: 40, pid: first, code: null, signal: "SIGKILL", msg: "worker exited; starting another" },
      { level: 30, pid: expect.any(Number), msg: "replacement worker listening" },
    ]);
    expect(childPids(proc.child.pid!).sort()).toEqual([second, lines[1].pid].sort());
    // Now the last original goes too: only the replacement is left to answer.
    process.kill(second!, "SIGKILL");
    const arns = await Promise.all(Array.from({ length: 4 }, async () => (await sdkClients(proc.url, root).sts.send(new GetCallerIdentityCommand({}))).Arn));
    expect(new Set(arns)).toEqual(new Set([expect.stringMatching(/:root$/)]));
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("runs one worker per core unless told otherwise", async () => {
    const cores = availableParallelism();
    const proc = await serve(["--data-dir", tempDir()], env());
    expect(proc.banner).toMatch(cores > 1 ? new RegExp(`listening on http://\\S+ \\(${cores} workers\\)\n$`) : /listening on http:\/\/\S+\n$/);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("--workers 2: a user renamed or deleted through one worker is so on every worker when the call answers", async () => {
    const proc = await serve(["--data-dir", tempDir(), "--workers", "2"], env());
    const root = rootKeyOf(proc);
    const { iam } = sdkClients(proc.url, root);
    await iam.send(new CreateUserCommand({ UserName: "leaver" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "leaver" }))).AccessKey!;
    const session = (await sdkClients(proc.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).sts.send(new GetSessionTokenCommand({}))).Credentials!;
    const asSession = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
    // Each call on a fresh connection: the primary hands connections to the workers in turn, so
    // both workers serve (and cache the user for) some of every batch.
    const arns = async () => Promise.all(Array.from({ length: 6 }, async () => (await sdkClients(proc.url, asSession).sts.send(new GetCallerIdentityCommand({}))).Arn));
    expect(new Set(await arns())).toEqual(new Set([expect.stringMatching(/:user\/leaver$/)]));

    // A worker whose siblings do not answer gives up after USER_TTL_MS, when their entries have
    // expired anyway: the checks below would then pass without the relay. So each call must
    // answer before that (it takes milliseconds when the siblings answer).
    const answeredBeforeGivingUp = async (call: Promise<unknown>) => {
      const started = performance.now();
      await call;
      expect(performance.now() - started).toBeLessThan(USER_TTL_MS);
    };
    await answeredBeforeGivingUp(iam.send(new UpdateUserCommand({ UserName: "leaver", NewUserName: "renamed" })));
    expect(new Set(await arns())).toEqual(new Set([expect.stringMatching(/:user\/renamed$/)]));

    await iam.send(new DeleteAccessKeyCommand({ UserName: "renamed", AccessKeyId: key.AccessKeyId! }));
    await answeredBeforeGivingUp(iam.send(new DeleteUserCommand({ UserName: "renamed" })));
    const refused = await Promise.all(Array.from({ length: 6 }, () => sdkError(sdkClients(proc.url, asSession).sts.send(new GetCallerIdentityCommand({})))));
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(["InvalidClientTokenId"]));
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("--workers 2: a policy attached or detached through one worker is in force on every worker when the call answers", async () => {
    const proc = await serve(["--data-dir", tempDir(), "--workers", "2"], env());
    const root = rootKeyOf(proc);
    const { iam } = sdkClients(proc.url, root);
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey!;
    const reader = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    // Fresh connections, so both workers answer (and cache the user's policies) in every batch.
    const codes = async () =>
      new Set(
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            try {
              await sdkClients(proc.url, reader).iam.send(new ListUsersCommand({}));
              return "allowed";
            } catch (e) {
              return (e as { name: string }).name;
            }
          }),
        ),
      );
    expect(await codes()).toEqual(new Set(["AccessDenied"]));
    const policy = { UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" };
    const started = performance.now();
    await iam.send(new AttachUserPolicyCommand(policy));
    expect(performance.now() - started).toBeLessThan(USER_TTL_MS); // answered, not given up on a sibling
    expect(await codes()).toEqual(new Set(["allowed"]));
    await iam.send(new DetachUserPolicyCommand(policy));
    expect(await codes()).toEqual(new Set(["AccessDenied"]));
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("--workers 2: a busy port is one clear line", async () => {
    const dir = tempDir();
    const proc = await serve(["--data-dir", dir, "--workers", "1"], env());
    const { port } = new URL(proc.url);
    const res = await mfaSts(["serve", "--data-dir", dir, "--port", port, "--workers", "2"], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`mfa-sts serve: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    proc.child.kill("SIGTERM");
    await proc.exited;
  });

  it("a busy port is a clear error", async () => {
    const dir = tempDir();
    const proc = await serve(["--data-dir", dir], env());
    const { port } = new URL(proc.url);
    const res = await mfaSts(["serve", "--data-dir", dir, "--port", port, "--workers", "1"], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^mfa-sts serve: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+\n$/);
    proc.child.kill("SIGTERM");
    await proc.exited;
  });
});
