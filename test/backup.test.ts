/**
 * `mfa-sts backup` and `mfa-sts restore` (issue 16 item 5), spawned as a user runs them: a backup
 * taken while `serve` (2 workers) is busy creating users is one consistent snapshot (SQLite's
 * integrity check passes; restored and served, it holds every user acknowledged before the
 * backup began, and nothing that was never acknowledged-or-attempted), with the root key still
 * working (same master key); restore refuses a directory a server runs on, keeps the database it
 * replaces, refuses a master key that cannot open the backup and a file that is not a backup, and
 * says that the master key is not in a backup.
 */
import { IAMClient, paginateListUsers, CreateUserCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { clientEnv } from "./helpers/clients.js";
import { mfaSts, rootKeyOf, serve, type ServeProcess } from "./helpers/cli.js";
import { tempDir, type Credentials } from "./helpers/server.js";

function env(): Record<string, string> {
  const e = clientEnv(undefined);
  delete e.AWS_DEFAULT_REGION;
  return e;
}

const running = new Set<ServeProcess>();
afterAll(async () => {
  for (const proc of running) proc.child.kill("SIGKILL");
});

async function start(dataDir: string): Promise<ServeProcess> {
  const proc = await serve(["--data-dir", dataDir, "--workers", "2"], env());
  running.add(proc);
  return proc;
}

async function stop(proc: ServeProcess): Promise<void> {
  proc.child.kill("SIGTERM");
  expect((await proc.exited).code).toBe(0);
  running.delete(proc);
}

const clients = (url: string, creds: Credentials) => {
  const config = { endpoint: url, region: "us-east-1", credentials: creds, maxAttempts: 1 };
  return { iam: new IAMClient(config), sts: new STSClient(config) };
};

async function userNames(iam: IAMClient): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const page of paginateListUsers({ client: iam }, {})) for (const user of page.Users ?? []) names.add(user.UserName!);
  return names;
}

describe("backup while serve runs, then restore", () => {
  it("is a consistent snapshot with every acknowledged user; restore refuses the running server's directory, then restores", async () => {
    const dir = tempDir();
    const proc = await start(dir);
    const root = rootKeyOf(proc);
    const { iam } = clients(proc.url, root);

    // Four writers create users until told to stop; each name is recorded when sent and when acknowledged.
    const attempted = new Set<string>();
    const acknowledged = new Set<string>();
    let writing = true;
    let next = 0;
    const writer = async () => {
      while (writing) {
        const name = `user-${String(next++).padStart(5, "0")}`;
        attempted.add(name);
        await iam.send(new CreateUserCommand({ UserName: name }));
        acknowledged.add(name);
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    while (acknowledged.size < 40) await new Promise((r) => setTimeout(r, 10));

    const file = join(tempDir(), "mfa-sts-backup.db");
    const before = new Set(acknowledged);
    const backup = await mfaSts(["backup", "--data-dir", dir, "--to", file], env());
    const afterBackup = acknowledged.size;
    // Writes go on after the backup too: they must not be in it (checked below through restore).
    while (acknowledged.size < afterBackup + 10) await new Promise((r) => setTimeout(r, 10));
    writing = false;
    await Promise.all(writers);

    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toBe(
      `backed up ${join(dir, "mfa-sts.db")} to ${file} (${statSync(file).size} bytes)\n` +
        `the master key is not in the backup: keep ${join(dir, "master.key")} safe, and apart from it\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // One self-contained file: no -wal beside it, no partial copy left.
    expect(readdirSync(join(file, "..")).sort()).toEqual(["mfa-sts-backup.db"]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    db.close();

    // The running server's directory: refused, and left alone.
    const refused = await mfaSts(["restore", "--from", file, "--data-dir", dir], env());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(`mfa-sts restore: mfa-sts serve is running on ${dir} (pid ${proc.child.pid}): stop it first\n`);
    expect(await userNames(iam)).toEqual(acknowledged);
    await stop(proc);
    expect(readdirSync(dir).filter((f) => f.startsWith("serve."))).toEqual([]);

    // Into a new directory holding the master key: what the backup holds is served, root key included.
    const elsewhere = tempDir();
    copyFileSync(join(dir, "master.key"), join(elsewhere, "master.key"));
    const restored = await mfaSts(["restore", "--from", file, "--data-dir", elsewhere], env());
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toBe(`restored ${file} into ${join(elsewhere, "mfa-sts.db")}\n`);
    const copy = await start(elsewhere);
    const inBackup = await userNames(clients(copy.url, root).iam);
    for (const name of before) expect(inBackup.has(name), name).toBe(true);
    for (const name of inBackup) expect(attempted.has(name), name).toBe(true);
    expect(inBackup.size).toBeLessThan(acknowledged.size);
    expect((await clients(copy.url, root).sts.send(new GetCallerIdentityCommand({}))).Arn).toMatch(/:root$/);
    await stop(copy);

    // Over the original, now stopped: the backup's state again; the replaced database kept whole beside it.
    const over = await mfaSts(["restore", "--from", file, "--data-dir", dir], env());
    expect(over.stdout).toBe(
      `restored ${file} into ${join(dir, "mfa-sts.db")} (the database it replaces is ${join(dir, "mfa-sts.db.before-restore")})\n`,
    );
    const back = await start(dir);
    expect(await userNames(clients(back.url, root).iam)).toEqual(inBackup);
    await stop(back);
    const replaced = new Database(join(dir, "mfa-sts.db.before-restore"), { readonly: true });
    const names = replaced.prepare("SELECT user_name FROM users").pluck().all() as string[];
    replaced.close();
    expect(new Set(names)).toEqual(acknowledged);
  });
});

describe("refusals and notices", () => {
  it("backup of a directory without a database; restore of a file that is not a backup, or with another master key", async () => {
    const empty = tempDir();
    const nothing = await mfaSts(["backup", "--data-dir", empty, "--to", join(empty, "b.db")], env());
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toBe(`mfa-sts backup: no database in ${empty} (mfa-sts.db): nothing to back up\n`);

    const source = tempDir();
    expect((await mfaSts(["init", "--data-dir", source], env())).code).toBe(0);
    const file = join(tempDir(), "b.db");
    expect((await mfaSts(["backup", "--data-dir", source, "--to", file], env())).code).toBe(0);

    const text = join(empty, "notes.txt");
    writeFileSync(text, "not a database at all, but long enough to have a header of sorts........................................");
    const garbage = await mfaSts(["restore", "--from", text, "--data-dir", empty], env());
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toBe(`mfa-sts restore: ${text}: file is not a database\n`);

    // A directory with a master key of its own (not the backup's): refused, nothing written.
    const other = tempDir();
    expect((await mfaSts(["init", "--data-dir", other], env())).code).toBe(0);
    const before = readdirSync(other).sort();
    const wrongKey = await mfaSts(["restore", "--from", file, "--data-dir", other], env());
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^mfa-sts restore: the master key does not open this backup: restore needs the key it was made with \(.+\)\n$/);
    expect(readdirSync(other).sort()).toEqual(before);

    // With the right key named by --master-key-file it goes through.
    const keyed = await mfaSts(["restore", "--from", file, "--data-dir", other, "--master-key-file", join(source, "master.key")], env());
    expect(keyed.code, keyed.stderr).toBe(0);
  });

  it("into a directory without a master key: restored, with the notice that the key must be put there", async () => {
    const source = tempDir();
    expect((await mfaSts(["init", "--data-dir", source], env())).code).toBe(0);
    const file = join(tempDir(), "b.db");
    expect((await mfaSts(["backup", "--data-dir", source, "--to", file], env())).code).toBe(0);
    const target = join(tempDir(), "new-home");
    const res = await mfaSts(["restore", "--from", file, "--data-dir", target], env());
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe(
      `restored ${file} into ${join(target, "mfa-sts.db")}\n` +
        `the master key is not in a backup: before serve, put the key the backup was made with in ${join(target, "master.key")} (0600) or MFA_STS_MASTER_KEY\n`,
    );
    expect(existsSync(join(target, "master.key"))).toBe(false);
    expect(statSync(target).mode & 0o777).toBe(0o700);
  });

  it("a server killed with SIGKILL leaves a stale marker that does not block restore", async () => {
    const dir = tempDir();
    const proc = await start(dir);
    const file = join(tempDir(), "b.db");
    expect((await mfaSts(["backup", "--data-dir", dir, "--to", file], env())).code).toBe(0);
    proc.child.kill("SIGKILL");
    await proc.exited;
    running.delete(proc);
    expect(readdirSync(dir)).toContain(`serve.${proc.child.pid}.pid`);
    const res = await mfaSts(["restore", "--from", file, "--data-dir", dir], env());
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(existsSync(join(dir, "mfa-sts.db.before-restore"))).toBe(true);
  });
});
