import { spawn } from "node:child_process";
import { once } from "node:events";
import { promises as fsPromises, watch } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CredentialsFileError, CredentialsFileLockTimeoutError, editSection, updateSection } from "./credentials-file.js";
import { parseIni } from "./ini.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRITER = join(ROOT, "test/fixtures/credentials-file-writer.mjs");
const BUILT = join(ROOT, "dist/client/credentials-file.js");

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mfa-sts-credentials-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

const NEW_SESSION = [
  ["aws_access_key_id", "ASIANEW0000000000000"],
  ["aws_secret_access_key", "new/secret"],
  ["aws_session_token", "new-token"],
  ["aws_credential_expiration", "2030-01-01T00:00:00Z"],
] as const;

// Line by line; the target [work] sits in the middle with odd spacing, a comment and extra keys.
const MESSY = [
  "# ~/.aws/credentials, edited by hand",
  "; and by other tools",
  "",
  "[default]",
  "aws_access_key_id=AKIADEFAULT000000000",
  "aws_secret_access_key = default/secret",
  "",
  "# long-term keys for work",
  "[work-long-term]",
  "aws_access_key_id = AKIAWORK000000000000",
  "AWS_SECRET_ACCESS_KEY   =  work/secret",
  "",
  "[work]",
  "aws_access_key_id=ASIAOLD0000000000000",
  "; written by mfa-sts login",
  "AWS_SECRET_ACCESS_KEY   =  old/secret  ",
  "region: eu-west-1",
  "aws_session_token = old-token",
  "",
  "# end of [work]",
  "",
  "[other]",
  "aws_access_key_id = AKIAOTHER00000000000",
  "aws_secret_access_key = other/secret",
  "",
];
const MESSY_UPDATED = [
  ...MESSY.slice(0, 13),
  "aws_access_key_id=ASIANEW0000000000000",
  "; written by mfa-sts login",
  "AWS_SECRET_ACCESS_KEY   =  new/secret  ",
  "region: eu-west-1",
  "aws_session_token = new-token",
  "aws_credential_expiration = 2030-01-01T00:00:00Z",
  ...MESSY.slice(18),
];

describe("updateSection edits only the target section", () => {
  it.each([
    ["LF", "\n", MESSY, MESSY_UPDATED],
    ["CRLF", "\r\n", MESSY, MESSY_UPDATED],
    ["no final newline", "\n", MESSY.slice(0, -1), MESSY_UPDATED.slice(0, -1)],
    ["CRLF, no final newline", "\r\n", MESSY.slice(0, -1), MESSY_UPDATED.slice(0, -1)],
  ])("a messy file, %s: every other byte unchanged", async (_, eol, before, after) => {
    const file = join(await tempDir(), "credentials");
    await writeFile(file, before.join(eol));
    await updateSection(file, "work", NEW_SESSION);
    const text = await readFile(file, "utf8");
    expect(text).toBe(after.join(eol));
    const ini = parseIni(text);
    expect(ini.get("work")).toEqual({
      aws_access_key_id: "ASIANEW0000000000000",
      aws_secret_access_key: "new/secret",
      region: "eu-west-1",
      aws_session_token: "new-token",
      aws_credential_expiration: "2030-01-01T00:00:00Z",
    });
    expect(ini.get("other")).toEqual({ aws_access_key_id: "AKIAOTHER00000000000", aws_secret_access_key: "other/secret" });
  });

  it.each([
    ["last section, no final newline", "[a]\nx = 1\n\n[p]\nk = v", "[a]\nx = 1\n\n[p]\nk = v\nnew = 2"],
    ["last section, CRLF, trailing comment", "[p]\r\nk = v\r\n# after\r\n", "[p]\r\nk = v\r\nnew = 2\r\n# after\r\n"],
    ["section without keys", "[p]\n# nothing yet\n\n[q]\nk = v\n", "[p]\nnew = 2\n# nothing yet\n\n[q]\nk = v\n"],
    ["`:` separator, empty value", "[p]\nNEW:1\nk =\n", "[p]\nNEW:2\nk =\n"],
    ["an empty value mirrors the space before `=`", "[p]\nnew =\nx=1\n", "[p]\nnew = 2\nx=1\n"],
    ["a nested table replaced goes with its key", "[p]\nnew =\n  a = 1\n  # note\n  b = 2\nk = v\n", "[p]\nnew = 2\n  # note\nk = v\n"],
    ["a repeated section: every occurrence replaced, missing keys to the last", "[p]\nnew = 0\n[q]\nk = v\n[p]\nnew = 1\n", "[p]\nnew = 2\n[q]\nk = v\n[p]\nnew = 2\n"],
    ["mixed line ends: new lines take the majority's", "[q]\r\nk = v\r\n[p]\nz = 1\r\n", "[q]\r\nk = v\r\n[p]\nz = 1\r\nnew = 2\r\n"],
  ])("%s", (_, before, after) => {
    expect(editSection(before, "p", [["new", "2"]])).toBe(after);
    expect(parseIni(after).get("p")).toMatchObject({ new: "2" });
  });

  it.each([
    ["an empty file", "", "[p]\nk = v\n"],
    ["a file ending with a newline", "[a]\nx = 1\n", "[a]\nx = 1\n\n[p]\nk = v\n"],
    ["a file ending with a blank line", "[a]\nx = 1\n\n", "[a]\nx = 1\n\n[p]\nk = v\n"],
    ["a file ending in a comment without newline", "[a]\nx = 1\n# end", "[a]\nx = 1\n# end\n\n[p]\nk = v"],
    ["a CRLF file", "[a]\r\nx = 1\r\n", "[a]\r\nx = 1\r\n\r\n[p]\r\nk = v\r\n"],
    ["a file of comments only", "# nothing\n", "# nothing\n\n[p]\nk = v\n"],
  ])("a missing section is appended to %s", (_, before, after) => {
    expect(editSection(before, "p", [["k", "v"]])).toBe(after);
  });

  it("creates a missing file", async () => {
    const file = join(await tempDir(), "credentials");
    await updateSection(file, "p", [["aws_access_key_id", "A"], ["aws_secret_access_key", "S"]]);
    expect(await readFile(file, "utf8")).toBe("[p]\naws_access_key_id = A\naws_secret_access_key = S\n");
  });

  it("does not rewrite the file when nothing changes", async () => {
    const file = join(await tempDir(), "credentials");
    await writeFile(file, "[p]\nK=v\n");
    const { ino } = await stat(file);
    await updateSection(file, "p", [["k", "v"]]);
    expect((await stat(file)).ino).toBe(ino);
  });

  it("refuses a file that is not a valid config file, or not UTF-8, and leaves it as it was", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await writeFile(file, "key = outside\n[p]\n");
    await expect(updateSection(file, "p", [["k", "v"]])).rejects.toThrow(/Refusing to rewrite .*credentials: .*line 1/);
    expect(await readFile(file, "utf8")).toBe("key = outside\n[p]\n");
    await writeFile(file, Buffer.from("[p]\n# caf\xe9\n", "latin1"));
    await expect(updateSection(file, "p", [["k", "v"]])).rejects.toThrow(/not valid UTF-8/);
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("keeps non-ASCII text byte for byte", async () => {
    const file = join(await tempDir(), "credentials");
    await writeFile(file, "# café ☕\n[p]\nk = v\n");
    await updateSection(file, "p", [["k", "w"]]);
    expect(await readFile(file, "utf8")).toBe("# café ☕\n[p]\nk = w\n");
  });

  it.each([
    ["section", "a]b", "k", "v"],
    ["section", " p", "k", "v"],
    ["key", "p", "k=x", "v"],
    ["key", "p", "#k", "v"],
    ["value", "p", "k", "a\nb"],
    ["value", "p", "k", ""],
    ["value", "p", "k", " v"],
  ])("rejects an invalid %s without touching the file system", async (what, section, key, value) => {
    const file = join(await tempDir(), "sub", "credentials");
    await expect(updateSection(file, section, [[key, value]])).rejects.toThrow(new RegExp(`invalid ${what}`));
    await expect(stat(join(file, ".."))).rejects.toThrow(/ENOENT/);
  });
});

describe("files and permissions", () => {
  it("a new file is 0600 and a new ~/.aws directory 0700", async () => {
    const home = await tempDir();
    const file = join(home, ".aws", "credentials");
    await updateSection(file, "p", [["k", "v"]]);
    expect(await mode(join(home, ".aws"))).toBe(0o700);
    expect(await mode(file)).toBe(0o600);
    expect(await readdir(join(home, ".aws"))).toEqual(["credentials"]);
  });

  it("an existing file keeps its mode", async () => {
    const file = join(await tempDir(), "credentials");
    await writeFile(file, "[p]\nk = v\n");
    await chmod(file, 0o640);
    await updateSection(file, "p", [["k", "w"]]);
    expect(await mode(file)).toBe(0o640);
  });

  it("a symlinked file stays a symlink; its target is written", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "dotfiles"));
    await writeFile(join(dir, "dotfiles", "credentials"), "[p]\nk = v\n");
    await symlink(join(dir, "dotfiles", "credentials"), join(dir, "credentials"));
    await updateSection(join(dir, "credentials"), "p", [["k", "w"]]);
    expect((await lstat(join(dir, "credentials"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "credentials"))).toBe(join(dir, "dotfiles", "credentials"));
    expect(await readFile(join(dir, "dotfiles", "credentials"), "utf8")).toBe("[p]\nk = w\n");
    expect((await readdir(dir)).sort()).toEqual(["credentials", "dotfiles"]);
    expect(await readdir(join(dir, "dotfiles"))).toEqual(["credentials"]);
  });

  it("a failure after the temporary file was written leaves the file, no temporary file and no lock", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await writeFile(file, "[p]\nk = v\n");
    vi.spyOn(fsPromises, "rename").mockRejectedValueOnce(new Error("disk on fire"));
    await expect(updateSection(file, "p", [["k", "w"]])).rejects.toThrow("disk on fire");
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
    expect(await readdir(dir)).toEqual(["credentials"]);
  });
});

const lockContent = (pid: number, acquiredAt: Date, host = hostname()) =>
  JSON.stringify({ pid, host, acquiredAt: acquiredAt.toISOString(), token: "0123456789abcdef" }) + "\n";

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await once(child, "exit");
  return child.pid!;
}

describe("the lock file", () => {
  it("a lock of a dead process is broken at once", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await writeFile(`${file}.lock`, lockContent(await deadPid(), new Date()));
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 200 });
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("a lock older than staleLockMs is broken even if its holder lives", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await writeFile(`${file}.lock`, lockContent(process.pid, new Date(Date.now() - 60_000)));
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 200 });
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("a live, fresh lock makes the writer wait, then fail with an error naming the lock file", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const lock = lockContent(process.pid, new Date());
    await writeFile(file, "[p]\nk = v\n");
    await writeFile(`${file}.lock`, lock);
    const started = performance.now();
    const failure = updateSection(file, "p", [["k", "w"]], { lockTimeoutMs: 150 });
    await expect(failure).rejects.toBeInstanceOf(CredentialsFileLockTimeoutError);
    await expect(failure).rejects.toThrow(`Timed out after 150 ms waiting for the lock file ${file}.lock, held by pid ${process.pid}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
    expect(await readFile(`${file}.lock`, "utf8")).toBe(lock); // not ours to remove
  });

  it("a dead pid on another host proves nothing: only age breaks that lock", async () => {
    const file = join(await tempDir(), "credentials");
    await writeFile(`${file}.lock`, lockContent(await deadPid(), new Date(), "another-host"));
    await expect(updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100 })).rejects.toThrow(/held by pid \d+ on another-host/);
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100, staleLockMs: 0 });
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
  });

  it("an unreadable lock (an older writer died before writing it) is respected briefly, then broken", async () => {
    const file = join(await tempDir(), "credentials");
    await writeFile(`${file}.lock`, "");
    await expect(updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100 })).rejects.toThrow(CredentialsFileLockTimeoutError);
    const old = new Date(Date.now() - 5_000);
    await utimes(`${file}.lock`, old, old);
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100 });
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
  });

  it("a break turn whose breaker died is taken over at once, and one left after its lock was removed is cleaned up", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const deadTurn = lockContent(await deadPid(), new Date());
    await writeFile(`${file}.lock`, lockContent(await deadPid(), new Date()));
    await writeFile(`${file}.lock.break`, deadTurn);
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 200 });
    expect(await readdir(dir)).toEqual(["credentials"]);

    await writeFile(`${file}.lock.break`, deadTurn);
    await updateSection(file, "p", [["k", "w"]], { lockTimeoutMs: 200 });
    expect(await readFile(file, "utf8")).toBe("[p]\nk = w\n");
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("a live breaker's turn is respected: the dead lock stays until the turn is released or too old", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const turn = lockContent(process.pid, new Date());
    await writeFile(`${file}.lock`, lockContent(await deadPid(), new Date()));
    await writeFile(`${file}.lock.break`, turn);
    await expect(updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100 })).rejects.toThrow(CredentialsFileLockTimeoutError);
    expect(await readFile(`${file}.lock.break`, "utf8")).toBe(turn);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock.break`, old, old);
    await updateSection(file, "p", [["k", "v"]], { lockTimeoutMs: 100 });
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("temporary files of dead writers (file, lock, an older version's set-aside lock, break turn) are removed; a live writer's are not", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const dead = await deadPid();
    const leftovers = [`credentials.tmp-${dead}-0123456789ab`, `credentials.lock.tmp-${dead}-0123456789ab`, `credentials.lock.stale-${dead}-0123456789ab`, `credentials.lock.break.tmp-${dead}-0123456789ab`];
    const live = `credentials.lock.tmp-${process.pid}-0123456789ab`;
    for (const name of [...leftovers, live]) await writeFile(join(dir, name), "x");
    await updateSection(file, "p", [["k", "v"]]);
    expect((await readdir(dir)).sort()).toEqual(["credentials", live]);
  });

  it("on a file system without hard links the lock is created, then written", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const link = vi.spyOn(fsPromises, "link").mockRejectedValue(Object.assign(new Error("operation not permitted"), { code: "EPERM" }));
    await Promise.all(Array.from({ length: 5 }, (_, i) => updateSection(file, `s${i}`, [["k", `v${i}`]])));
    expect(link).toHaveBeenCalled();
    const ini = parseIni(await readFile(file, "utf8"));
    for (let i = 0; i < 5; i++) expect(ini.get(`s${i}`)).toEqual({ k: `v${i}` });
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("a writer whose lock was taken from it does not commit", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await writeFile(file, "[p]\nk = v\n");
    const thief = lockContent(process.pid, new Date());
    const realReadFile = fsPromises.readFile.bind(fsPromises);
    // The first read of the lock file is the writer's check just before its rename.
    vi.spyOn(fsPromises, "readFile").mockImplementation((async (path: string, options: never) => {
      if (path === `${file}.lock`) await writeFile(path, thief);
      return realReadFile(path, options);
    }) as typeof fsPromises.readFile);
    await expect(updateSection(file, "p", [["k", "w"]])).rejects.toThrow(CredentialsFileError);
    vi.restoreAllMocks();
    expect(await readFile(file, "utf8")).toBe("[p]\nk = v\n");
    expect(await readFile(`${file}.lock`, "utf8")).toBe(thief);
    expect((await readdir(dir)).sort()).toEqual(["credentials", "credentials.lock"]);
  });

  it("concurrent writers in one process serialize", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    await Promise.all(Array.from({ length: 20 }, (_, i) => updateSection(file, `s${i}`, [["k", `v${i}`]])));
    const ini = parseIni(await readFile(file, "utf8"));
    for (let i = 0; i < 20; i++) expect(ini.get(`s${i}`)).toEqual({ k: `v${i}` });
    expect(await readdir(dir)).toEqual(["credentials"]);
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function writer(args: string[], onReady?: () => void): { kill: () => void; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && onReady?.());
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
  return { kill: () => child.kill("SIGKILL"), exited };
}

describe("separate writer processes (the built module)", () => {
  beforeAll(async () => {
    const built = await stat(BUILT).catch(() => undefined);
    if (!built) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
    for (const source of ["credentials-file.ts", "ini.ts"]) {
      if ((await stat(join(ROOT, "src/client", source))).mtimeMs > built.mtimeMs) throw new Error(`${BUILT} is older than src/client/${source}: run \`npm run build\``);
    }
  });

  it("ten processes writing their own sections all land, the rest of the file intact", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials");
    const original = MESSY.join("\n");
    await writeFile(file, original);
    const rounds = 10;
    const exits = await Promise.all(Array.from({ length: 10 }, (_, i) => writer(["rounds", file, `p${i}`, String(rounds)]).exited));
    expect(exits).toEqual(Array.from({ length: 10 }, () => ({ code: 0, signal: null, stderr: "" })));

    const text = await readFile(file, "utf8");
    const order = [...text.matchAll(/^\[(p\d)\]$/gm)].map((m) => m[1]!);
    expect([...order].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    const last = rounds - 1;
    expect(text).toBe(original + order.map((p) => `\n[${p}]\naws_access_key_id = ${p}-key-${last}\naws_secret_access_key = ${p}-secret-${last}\n`).join(""));
    expect(await readdir(dir)).toEqual(["credentials"]);
  });

  it("SIGKILL at 30 random moments: the file is always one whole version, and the next write works", async () => {
    // Big values (2 MB and 1 MB) rather than many sections: parsing cost grows with the number of
    // lines, writing with the bytes, so this way most of each rewrite is spent writing.
    const size = 2_000_000;
    const filler = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `[filler-${from + i}]\naws_access_key_id = AKIA${String(from + i).padStart(16, "0")}\naws_secret_access_key = ${"s".repeat(120)}\n# ${from + i}\n\n`).join("");
    const head = filler(0, 1_000);
    const tail = filler(1_000, 2_000);
    const version = (token: string) => `${head}[target]\naws_access_key_id = ASIA0000000000000000\naws_session_token = ${token}\n\n${tail}`;
    const versions = [version("initial"), version("A".repeat(size)), version("B".repeat(size / 2))];
    const lanes = 3;
    const killsPerLane = 10;
    let leftovers = 0;

    await Promise.all(
      Array.from({ length: lanes }, async () => {
        const dir = await tempDir();
        const file = join(dir, "credentials");
        await writeFile(file, versions[0]!);
        for (let k = 0; k < killsPerLane; k++) {
          // Half the kills at any moment of the writer's life (lock, read, edit, write, rename),
          // half within a few ms of a temporary file appearing, i.e. mid-write or mid-rename.
          const midWrite = k % 2 === 1;
          const watcher = midWrite ? watch(dir) : undefined;
          const child = writer(["alternate", file, "target", String(size)], () => {
            if (!watcher) return void setTimeout(child.kill, Math.random() * 150);
            watcher.on("change", (_, name) => String(name).includes(".tmp-") && setTimeout(child.kill, Math.random() * 20));
          });
          const exit = await child.exited;
          watcher?.close();
          expect(exit.signal, exit.stderr).toBe("SIGKILL");
          const text = await readFile(file, "utf8");
          expect(versions.indexOf(text), `a torn file of ${text.length} characters`).toBeGreaterThanOrEqual(0);
          expect(parseIni(text).get("target")).toBeDefined();
          leftovers += (await readdir(dir)).filter((name) => name.includes(".tmp-")).length;
        }
        // The dead writer's lock is broken and its temporary file removed by the next write.
        await updateSection(file, "target", [["aws_session_token", "final"]], { lockTimeoutMs: 1_000 });
        expect(await readFile(file, "utf8")).toBe(version("final"));
        expect(await readdir(dir)).toEqual(["credentials"]);
      }),
    );
    console.log(`kill -9 test: ${leftovers} of ${lanes * killsPerLane} kills left a temporary file behind`);
  });

  it("SIGKILL at 60 random moments of small writes (mostly locking and unlocking): the next write takes the lock at once and leaves nothing behind", async () => {
    // A writer killed between creating its lock and writing its pid into it once left an empty
    // lock that others had to wait out (2 s); locks are now created whole.
    const lanes = 3;
    const killsPerLane = 20;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let k = 0; k < killsPerLane; k++) {
          const dir = await tempDir();
          const file = join(dir, "credentials");
          await writeFile(file, "[target]\naws_session_token = initial\n");
          const child = writer(["alternate", file, "target", "10"], () => setTimeout(child.kill, 5 + Math.random() * 30));
          expect((await child.exited).signal).toBe("SIGKILL");
          await updateSection(file, "target", [["aws_session_token", "final"]], { lockTimeoutMs: 1_000 });
          expect(await readFile(file, "utf8")).toBe("[target]\naws_session_token = final\n");
          expect(await readdir(dir)).toEqual(["credentials"]);
        }
      }),
    );
  });
});
