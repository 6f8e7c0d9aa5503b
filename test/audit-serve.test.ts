/**
 * `mfa-sts serve` and its audit log as a user runs it (spawned): --audit-log FILE appended and
 * private (0600), `-` for stdout, DATA_DIR/audit.log by default, --no-audit-log; records
 * written after the answer yet none lost on SIGTERM; with --workers 2 one writer (the primary),
 * every record whole, one per request.
 */
import { CreateUserCommand, GetUserCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clientEnv, sdkClients, sdkError } from "./helpers/clients.js";
import { mfaSts, rootKeyOf, serve, type ServeProcess } from "./helpers/cli.js";
import { tempDir } from "./helpers/server.js";

function env(): Record<string, string> {
  const e = clientEnv(undefined);
  delete e.AWS_DEFAULT_REGION;
  return e;
}

async function stop(proc: ServeProcess): Promise<void> {
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toMatchObject({ code: 0 });
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);

/** Calls GetCallerIdentity `n` times, each on a fresh connection; the request ids AWS's SDK saw. */
async function identities(url: string, creds: { accessKeyId: string; secretAccessKey: string }, n: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: n }, async () => (await sdkClients(url, creds).sts.send(new GetCallerIdentityCommand({}))).$metadata.requestId!),
  );
}

describe("serve --audit-log", () => {
  it("appends to FILE (0600, made private if it was not), across restarts; SIGTERM right after the calls loses none", async () => {
    const dir = tempDir();
    const file = join(tempDir(), "audit.jsonl");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const first = await serve(["--data-dir", dir, "--workers", "1", "--audit-log", file], env());
    const root = rootKeyOf(first);
    const ids = await identities(first.url, root, 5);
    // No wait: the records are written after the answers, and the shutdown writes what is left.
    await stop(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines(readFileSync(file, "utf8")).map((r) => r.requestID)).toEqual(expect.arrayContaining(ids));
    expect(lines(readFileSync(file, "utf8"))).toHaveLength(5);
    // The data directory's default log is not written when --audit-log names another.
    expect(existsSync(join(dir, "audit.log"))).toBe(false);

    const second = await serve(["--data-dir", dir, "--workers", "1", "--audit-log", file], env());
    const { iam } = sdkClients(second.url, root);
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    expect(await sdkError(iam.send(new CreateUserCommand({ UserName: "carol" })))).toMatchObject({ code: "EntityAlreadyExists" });
    await stop(second);
    const all = lines(readFileSync(file, "utf8"));
    expect(all.map((r) => [r.eventName, r.errorCode])).toEqual([
      ...Array(5).fill(["GetCallerIdentity", undefined]),
      ["CreateUser", undefined],
      ["CreateUser", "EntityAlreadyExists"],
    ]);
    expect(readFileSync(file, "utf8")).not.toContain(root.secretAccessKey);
  });

  it("defaults to DATA_DIR/audit.log; --no-audit-log keeps none; - writes to stdout", async () => {
    const dir = tempDir();
    const byDefault = await serve(["--data-dir", dir, "--workers", "1"], env());
    const root = rootKeyOf(byDefault);
    await identities(byDefault.url, root, 2);
    await stop(byDefault);
    expect(statSync(join(dir, "audit.log")).mode & 0o777).toBe(0o600);
    expect(lines(readFileSync(join(dir, "audit.log"), "utf8")).map((r) => r.eventName)).toEqual(["GetCallerIdentity", "GetCallerIdentity"]);

    const none = tempDir();
    const off = await serve(["--data-dir", none, "--workers", "1", "--no-audit-log"], env());
    await identities(off.url, rootKeyOf(off), 1);
    await stop(off);
    expect(existsSync(join(none, "audit.log"))).toBe(false);

    const toStdout = await serve(["--data-dir", dir, "--workers", "1", "--audit-log", "-"], env());
    let stdout = "";
    toStdout.child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const ids = await identities(toStdout.url, root, 3);
    await stop(toStdout);
    expect(lines(stdout).map((r) => r.requestID).sort()).toEqual([...ids].sort());
    // What serve prints about itself stays on stderr.
    expect(stdout).not.toContain("listening");
    // The file was left alone.
    expect(lines(readFileSync(join(dir, "audit.log"), "utf8"))).toHaveLength(2);
  });

  it("an audit log that cannot be opened is one clear line", async () => {
    const missing = join(tempDir(), "no-such-dir", "audit.log");
    const res = await mfaSts(["serve", "--data-dir", tempDir(), "--port", "0", "--workers", "1", "--audit-log", missing], env());
    expect(res).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`mfa-sts serve: cannot open the audit log ${missing}: ENOENT\\n$`)) });
    const withWorkers = await mfaSts(["serve", "--data-dir", tempDir(), "--port", "0", "--workers", "2", "--audit-log", missing], env());
    expect(withWorkers).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`mfa-sts serve: cannot open the audit log ${missing}: ENOENT\\n$`)) });
  });

  it("--workers 2: the primary writes every worker's records, one whole line per request", async () => {
    const dir = tempDir();
    const file = join(dir, "audit.log");
    const proc = await serve(["--data-dir", dir, "--workers", "2"], env());
    const root = rootKeyOf(proc);
    const { iam } = sdkClients(proc.url, root);
    await iam.send(new CreateUserCommand({ UserName: "shared" }));
    // Fresh connections: the primary hands them to the workers in turn, so both write records.
    const [ids, users] = await Promise.all([
      identities(proc.url, root, 20),
      Promise.all(Array.from({ length: 20 }, async () => (await sdkClients(proc.url, root).iam.send(new GetUserCommand({ UserName: "shared" }))).$metadata.requestId!)),
    ]);
    await stop(proc);
    const text = readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const records = lines(text);
    expect(records).toHaveLength(41);
    expect(records.map((r) => r.requestID).sort()).toEqual(expect.arrayContaining([...ids, ...users]));
    expect(new Set(records.map((r) => r.eventID)).size).toBe(41);
    expect(records.filter((r) => r.eventName === "GetUser")).toHaveLength(20);
  });
});
