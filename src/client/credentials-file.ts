/**
 * The safe writer for the AWS shared credentials file (`~/.aws/credentials` or
 * `AWS_SHARED_CREDENTIALS_FILE`). Existing tools damage this file in known ways: they rewrite it
 * whole and lose comments (broamski/aws-mfa#39), race each other and drop sections
 * (trek10inc/awsume#72), or leave it truncated when killed. So:
 *
 * - the edit is minimal: only lines of the target section change; every other byte — comments,
 *   blank lines, other sections, CRLF or LF, a missing final newline — is kept;
 * - the read–modify–write runs under a cross-process lock file, `<path>.lock`, that a dead or
 *   long-gone holder cannot keep forever;
 * - the new text goes to a temporary file that is fsynced and renamed over the target, so a
 *   reader (or a crash) only ever sees the old file or the new one, never a mix.
 *
 * What a section and a key line are is decided exactly as `./ini.ts` (botocore's rules) decides
 * it, and the result is re-parsed with it before anything is written.
 *
 * The lock's age is measured with the wall clock (`Date.now()`), not an injected clock: it is
 * compared with times other processes and the file system wrote, which only the wall clock shares.
 */
import { randomBytes } from "node:crypto";
import { promises as fs, type Stats } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseIni, type IniFile } from "./ini.js";

export interface UpdateSectionOptions {
  /** How long to wait for another writer's lock before giving up. Default 10 000 ms. */
  lockTimeoutMs?: number;
  /** A lock older than this is broken even if its holder seems alive. Default 30 000 ms. */
  staleLockMs?: number;
}

export class CredentialsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CredentialsFileError";
  }
}

export class CredentialsFileLockTimeoutError extends CredentialsFileError {
  constructor(
    readonly lockPath: string,
    message: string,
  ) {
    super(message);
    this.name = "CredentialsFileLockTimeoutError";
  }
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const DEFAULT_STALE_LOCK_MS = 30_000;
/**
 * A lock file with no readable owner: a writer (of an older version, or on a file system without
 * hard links) that died between creating and writing it, or one writing it now.
 */
const UNREADABLE_LOCK_GRACE_MS = 2_000;
/** A breaker holds its turn for two file operations; one this old died holding it. */
const BREAK_TURN_STALE_MS = 5_000;

/**
 * Sets `values` in `[section]` of the credentials file at `path`, creating the file (0600, its
 * directory 0700) or the section when missing. Keys are matched case-insensitively, as botocore
 * reads them; a replaced line keeps its key spelling and spacing.
 */
export async function updateSection(
  path: string,
  section: string,
  values: ReadonlyArray<readonly [string, string]>,
  options: UpdateSectionOptions = {},
): Promise<void> {
  checkInput(section, values);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;

  await makeDirectory(dirname(path));
  // A symlinked credentials file (dotfile managers) must stay a symlink: write where it points.
  const target = await resolveTarget(path);
  const lockPath = `${path}.lock`;
  const lock = await acquireLock(lockPath, lockTimeoutMs, staleLockMs);
  try {
    await removeLeftovers(dirname(target), [`${basename(target)}.tmp-`], staleLockMs);
    await removeLockLeftovers(lockPath, staleLockMs);
    const existing = await readExisting(target);
    const before = existing?.text ?? "";
    const after = editSection(before, section, values, target);
    if (existing && after === before) return;
    await replaceAtomically(target, after, existing?.stat, () => assertLockHeld(lockPath, lock));
  } finally {
    await removeIfOurs(lockPath, lock);
  }
}

/**
 * Replaces the whole file at `path` with `text` by the same steps as `updateSection` (directory
 * 0700 when created, temporary file in the same directory, fsync, rename, directory fsync), for
 * files that are rewritten whole and need no lock: the last complete writer wins, and a reader
 * never sees a partial file. The file gets `mode` (default 0600) whatever it had before: these
 * are files of secrets (the aws CLI's role-credential cache).
 */
export async function writeFileAtomically(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  await makeDirectory(dirname(path));
  await removeLeftovers(dirname(path), [`${basename(path)}.tmp-`], DEFAULT_STALE_LOCK_MS);
  await replaceAtomically(path, text, undefined, async () => {}, options.mode ?? 0o600);
}

// ───────────────────────────── the edit (pure) ─────────────────────────────

type Eol = "" | "\n" | "\r\n";
interface Line {
  text: string;
  eol: Eol;
}

/** What a line is, decided as `parseIni` decides it. */
type LineKind =
  | { kind: "skip" } // blank or comment
  | { kind: "header"; name: string }
  | { kind: "key"; key: string }
  | { kind: "nested"; owner: number }; // an indented line of the nested value started at `owner`

const SECTION = /^\[([^\]]+)\]\s*$/;
/** ini.ts's ENTRY with every part captured: key, space, separator, space, value. */
const KEY_LINE = /^([^=:]+?)(\s*)([=:])(\s*)(.*)$/;

/**
 * The text with `values` set in `[section]`. Exported for tests and for callers that hold the
 * text already; `file` only names the file in errors.
 */
export function editSection(text: string, section: string, values: ReadonlyArray<readonly [string, string]>, file = "the credentials file"): string {
  checkInput(section, values);
  let before: IniFile;
  try {
    before = parseIni(text);
  } catch (e) {
    throw new CredentialsFileError(`Refusing to rewrite ${file}: it is not a valid AWS config file (${(e as Error).message}).`, { cause: e });
  }

  const lines = splitLines(text);
  const eol = dominantEol(lines);
  const kinds = classify(lines);
  const edited = before.has(section) ? editExisting(lines, kinds, section, values, eol) : appendSection(text, lines, section, values, eol);

  checkResult(before, edited, section, values);
  return edited;
}

function checkInput(section: string, values: ReadonlyArray<readonly [string, string]>): void {
  const bad = (what: string) => new TypeError(`Cannot write to the credentials file: ${what}`);
  if (section === "" || section !== section.trim() || /[\]\r\n]/.test(section)) throw bad(`invalid section name ${JSON.stringify(section)}`);
  const seen = new Set<string>();
  for (const [key, value] of values) {
    if (key === "" || key !== key.trim() || /[=:\r\n]/.test(key) || /^[#;[]/.test(key)) throw bad(`invalid key ${JSON.stringify(key)}`);
    // Leading/trailing space would be trimmed by readers; an empty value would start a nested table.
    if (value === "" || value !== value.trim() || /[\r\n]/.test(value)) throw bad(`invalid value for ${key}`);
    const lower = key.toLowerCase();
    if (seen.has(lower)) throw bad(`key ${key} given twice`);
    seen.add(lower);
  }
}

/** Lines with their own line ends; a last line without one has eol "". Splits as ini.ts does. */
function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const ends = /\r?\n/g;
  let start = 0;
  for (let m = ends.exec(text); m; m = ends.exec(text)) {
    lines.push({ text: text.slice(start, m.index), eol: m[0] as Eol });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: "" });
  return lines;
}

/** The line end new lines get: the file's own (the majority in a mixed file), LF for a new file. */
function dominantEol(lines: readonly Line[]): Eol {
  let crlf = 0;
  let lf = 0;
  for (const line of lines) {
    if (line.eol === "\r\n") crlf++;
    else if (line.eol === "\n") lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

/** Mirrors parseIni line by line (the text has already parsed, so every line is one of these). */
function classify(lines: readonly Line[]): LineKind[] {
  const kinds: LineKind[] = [];
  let inSection = false;
  let nestedOwner: number | undefined;
  for (const [i, { text }] of lines.entries()) {
    const trimmed = text.trim();
    const indented = /^\s/.test(text);
    const header = SECTION.exec(trimmed);
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) {
      kinds.push({ kind: "skip" });
    } else if (indented && inSection && nestedOwner !== undefined) {
      kinds.push({ kind: "nested", owner: nestedOwner });
    } else if (header && !indented) {
      inSection = true;
      nestedOwner = undefined;
      kinds.push({ kind: "header", name: header[1]!.trim() });
    } else {
      const entry = KEY_LINE.exec(trimmed)!;
      nestedOwner = entry[5]!.trim() === "" ? i : undefined; // `key =` starts a nested table
      kinds.push({ kind: "key", key: entry[1]!.toLowerCase() });
    }
  }
  return kinds;
}

/** `line` with its value replaced, keeping indentation, key spelling and spacing. */
function replaceValue(line: string, value: string): string {
  const lead = line.slice(0, line.length - line.trimStart().length);
  const trimmed = line.trim();
  const trail = line.slice(lead.length + trimmed.length);
  const [, key, spaceBefore, separator, spaceAfter, old] = KEY_LINE.exec(trimmed)!;
  // `key =` has no space after the separator to copy: mirror the space before it.
  if (old === "") return `${lead}${key}${spaceBefore}${separator}${spaceBefore}${value}`;
  return `${lead}${key}${spaceBefore}${separator}${spaceAfter}${value}${trail}`;
}

function editExisting(lines: readonly Line[], kinds: readonly LineKind[], section: string, values: ReadonlyArray<readonly [string, string]>, eol: Eol): string {
  const wanted = new Map(values.map(([key, value]) => [key.toLowerCase(), value] as const));
  const replaced = new Map<number, string>();
  const dropped = new Set<number>();
  const found = new Set<string>();
  let lastBlockInsertAfter = -1;

  let inTarget = false;
  kinds.forEach((kind, i) => {
    if (kind.kind === "header") {
      inTarget = kind.name === section;
      if (inTarget) lastBlockInsertAfter = i;
      return;
    }
    if (!inTarget) return;
    if (kind.kind === "key" || kind.kind === "nested") lastBlockInsertAfter = i;
    if (kind.kind === "key" && wanted.has(kind.key)) {
      // Every occurrence (a repeated section or key): the last one wins for readers, and no stale
      // secret should stay behind in an earlier one.
      replaced.set(i, replaceValue(lines[i]!.text, wanted.get(kind.key)!));
      found.add(kind.key);
    }
    // The nested table of a replaced key goes with it, or its lines would become keys of the section.
    if (kind.kind === "nested" && replaced.has(kind.owner)) dropped.add(i);
  });

  const missing = values.filter(([key]) => !found.has(key.toLowerCase()));
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (dropped.has(i)) return;
    const text = replaced.get(i) ?? line.text;
    if (i !== lastBlockInsertAfter || missing.length === 0) return out.push(text + line.eol);
    // Appended after the section's last key line; when that was the file's unterminated last
    // line, the file keeps ending without a newline.
    const added = missing.map(([key, value]) => `${key} = ${value}`);
    out.push(text + (line.eol || eol));
    added.forEach((addedLine, j) => out.push(addedLine + (j === added.length - 1 && line.eol === "" ? "" : eol)));
  });
  return out.join("");
}

function appendSection(text: string, lines: readonly Line[], section: string, values: ReadonlyArray<readonly [string, string]>, eol: Eol): string {
  const body = [`[${section}]`, ...values.map(([key, value]) => `${key} = ${value}`)];
  if (text === "") return body.map((line) => line + eol).join("");
  const last = lines[lines.length - 1]!;
  const lastIsBlank = last.text.trim() === "";
  // Exactly one blank line before the new section (more if the file already ends with more).
  let separator: string;
  if (last.eol !== "") separator = lastIsBlank ? "" : eol;
  else separator = lastIsBlank ? eol : eol + eol;
  const terminated = last.eol !== "";
  return text + separator + body.map((line, j) => line + (j === body.length - 1 && !terminated ? "" : eol)).join("");
}

/** The edit must read back as intended, and must not have changed any other section. */
function checkResult(before: IniFile, text: string, section: string, values: ReadonlyArray<readonly [string, string]>): void {
  const after = parseIni(text);
  const wrong = (why: string) => new CredentialsFileError(`Internal error editing the credentials file (${why}); nothing was written.`);
  const got = after.get(section);
  if (!got) throw wrong(`section ${section} missing`);
  for (const [key, value] of values) if (got[key.toLowerCase()] !== value) throw wrong(`${key} reads back wrong`);
  const others = (file: IniFile) => JSON.stringify([...file].filter(([name]) => name !== section));
  if (others(before) !== others(after)) throw wrong("another section changed");
  const rest = (s: Record<string, unknown> | undefined) =>
    JSON.stringify(Object.entries(s ?? {}).filter(([key]) => !values.some(([k]) => k.toLowerCase() === key)));
  const previous = before.get(section);
  if (previous && rest(previous) !== rest(got)) throw wrong("another key of the section changed");
}

// ───────────────────────────── the lock ─────────────────────────────

interface LockHolder {
  pid: number;
  host: string;
  acquiredAt: string;
  token: string;
}

function newHolder(): { token: string; content: string } {
  const token = randomBytes(16).toString("hex");
  const holder: LockHolder = { pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString(), token };
  return { token, content: `${JSON.stringify(holder)}\n` };
}

/** What we found at the lock path: nothing, a lock to respect, or one to break. */
type LockState = { state: "gone" } | { state: "held" | "stale"; raw: string; holder: LockHolder | undefined };

async function acquireLock(lockPath: string, timeoutMs: number, staleMs: number): Promise<string> {
  const { token, content } = newHolder();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await createWhole(lockPath, content)) return token;
    const found = await inspectLock(lockPath, staleMs);
    if (found.state === "gone") continue; // released since: try again at once
    // Broken (or gone meanwhile): try again at once. Another process breaking it: wait like for a holder.
    if (found.state === "stale" && (await breakLock(lockPath, found.raw))) continue;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const by = found.holder ? `, held by pid ${found.holder.pid} on ${found.holder.host} since ${found.holder.acquiredAt}` : "";
      throw new CredentialsFileLockTimeoutError(
        lockPath,
        `Timed out after ${timeoutMs} ms waiting for the lock file ${lockPath}${by}. If no other process is writing the credentials file, delete ${lockPath}.`,
      );
    }
    // Short, randomized, growing waits so parallel writers do not retry in lock step.
    const ceiling = Math.min(100, 5 * 2 ** Math.min(attempt, 5));
    await delay(Math.min(remaining, 2 + Math.random() * ceiling));
  }
}

/**
 * Creates `path` with `content`, or returns false when it exists. The content is written to a
 * temporary file first and linked into place (link fails if the name is taken, like O_EXCL), so
 * the file is whole from its first moment: a writer killed at any point leaves either no file or
 * one naming its (now dead) pid — never an empty one that others must wait out.
 */
async function createWhole(path: string, content: string): Promise<boolean> {
  const temp = temporaryName(path);
  await fs.writeFile(temp, content, { mode: 0o600, flag: "wx" });
  try {
    await fs.link(temp, path);
    return true;
  } catch (e) {
    if (errorCode(e) === "EEXIST") return false;
    if (NO_HARD_LINKS.includes(errorCode(e) ?? "")) return createThenWrite(path, content);
    throw e;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** What link() fails with on file systems without hard links (some FUSE and VM shared folders). */
const NO_HARD_LINKS = ["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"];

/** O_EXCL create, then write: where hard links are missing. A writer killed in between leaves an empty lock. */
async function createThenWrite(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(path, "wx", 0o600);
  } catch (e) {
    if (errorCode(e) === "EEXIST") return false;
    throw e;
  }
  try {
    await handle.writeFile(content);
  } catch (e) {
    await handle.close();
    await fs.rm(path, { force: true });
    throw e;
  }
  await handle.close();
  return true;
}

/** `<path>.tmp-<pid>-<hex>`: the pid lets `removeLeftovers` tell a dead writer's file from a live one's. */
function temporaryName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
}

async function inspectLock(lockPath: string, staleMs: number): Promise<LockState> {
  const found = await readHolderFile(lockPath);
  if (!found) return { state: "gone" };
  const { raw, mtimeMs, holder } = found;
  const now = Date.now();
  if (!holder) {
    // Empty or foreign content (see UNREADABLE_LOCK_GRACE_MS).
    return { state: now - mtimeMs > Math.min(staleMs, UNREADABLE_LOCK_GRACE_MS) ? "stale" : "held", raw, holder };
  }
  const since = Date.parse(holder.acquiredAt);
  const age = now - (Number.isNaN(since) ? mtimeMs : since);
  return { state: holderDead(holder) || age > staleMs ? "stale" : "held", raw, holder };
}

/** A lock or break turn as found: its text, when it was written, and its holder if readable. */
async function readHolderFile(path: string): Promise<{ raw: string; mtimeMs: number; holder: LockHolder | undefined } | undefined> {
  try {
    const [raw, { mtimeMs }] = await Promise.all([fs.readFile(path, "utf8"), fs.stat(path)]);
    return { raw, mtimeMs, holder: parseHolder(raw) };
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    throw e;
  }
}

/** A pid means something only on its own host (a home directory can be shared over NFS). */
function holderDead(holder: LockHolder | undefined): boolean {
  return holder !== undefined && holder.host === hostname() && !processAlive(holder.pid);
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (!Number.isSafeInteger(value.pid) || value.pid! <= 0) return undefined;
    if (typeof value.host !== "string" || typeof value.acquiredAt !== "string" || typeof value.token !== "string") return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return errorCode(e) !== "ESRCH"; // EPERM: alive, someone else's
  }
}

/**
 * Removes a lock judged stale, unless it changed since it was judged; false when another process
 * has the turn to break it. Breakers take turns through a second file, `<lock>.break`, created
 * whole like the lock, so two of them cannot both act on one judgement: an earlier
 * version moved the lock aside and put it back if it was not the judged one, and in that gap a
 * third writer could take the free name — the displaced, live holder then lost its write.
 * Between the re-read and the removal the content cannot change: a dead holder releases
 * nothing, and every other breaker waits for the turn.
 */
async function breakLock(lockPath: string, judged: string): Promise<boolean> {
  const turn = breakTurnPath(lockPath);
  const { token, content } = newHolder();
  if (!(await takeBreakTurn(turn, content))) return false;
  try {
    const current = await fs.readFile(lockPath, "utf8").catch(() => undefined);
    if (current === judged) await fs.rm(lockPath, { force: true });
    return true;
  } finally {
    await removeIfOurs(turn, token);
  }
}

const breakTurnPath = (lockPath: string) => `${lockPath}.break`;

async function takeBreakTurn(turn: string, content: string): Promise<boolean> {
  if (await createWhole(turn, content)) return true;
  return (await removeAbandonedTurn(turn)) && createWhole(turn, content);
}

/**
 * Removes a break turn whose breaker was killed holding it (its pid is dead, or it is older than
 * BREAK_TURN_STALE_MS); true when no turn is left. Two processes that find the same abandoned turn
 * may both remove it, and so both take a turn; the worst that can follow is that one of them
 * removes the lock the other just took, and that one then fails with "Lost the lock" before
 * committing — an error, never a lost or torn file.
 */
async function removeAbandonedTurn(turn: string): Promise<boolean> {
  const found = await readHolderFile(turn);
  if (!found) return true;
  if (!holderDead(found.holder) && Date.now() - found.mtimeMs <= BREAK_TURN_STALE_MS) return false;
  await fs.rm(turn, { force: true });
  return true;
}

/** Whether the lock or break turn at `path` is still the one we took. */
async function isOurs(path: string, token: string): Promise<boolean> {
  const raw = await fs.readFile(path, "utf8").catch(() => "");
  return parseHolder(raw)?.token === token;
}

/** Checked just before the rename: a writer whose lock was broken as stale must not commit. */
async function assertLockHeld(lockPath: string, token: string): Promise<void> {
  if (!(await isOurs(lockPath, token))) {
    throw new CredentialsFileError(`Lost the lock ${lockPath} (another process broke it as stale); the credentials file was not changed.`);
  }
}

async function removeIfOurs(path: string, token: string): Promise<void> {
  if (await isOurs(path, token)) await fs.rm(path, { force: true });
}

/**
 * What writers killed while locking left beside the lock: the temporary files of `createWhole`,
 * locks an older version set aside (`.stale-`), and a break turn whose breaker died after removing
 * the lock. Runs under the lock; a turn taken now by a live breaker is left alone, and it
 * re-checks the lock (ours) before removing anything.
 */
async function removeLockLeftovers(lockPath: string, staleMs: number): Promise<void> {
  const turn = breakTurnPath(lockPath);
  const prefixes = [`${basename(lockPath)}.tmp-`, `${basename(lockPath)}.stale-`, `${basename(turn)}.tmp-`];
  await removeLeftovers(dirname(lockPath), prefixes, staleMs);
  await removeAbandonedTurn(turn);
}

// ───────────────────────────── the file ─────────────────────────────

async function makeDirectory(dir: string): Promise<void> {
  const created = await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await syncDirectory(dirname(created));
}

async function resolveTarget(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch (e) {
    if (errorCode(e) === "ENOENT") return path;
    throw e;
  }
}

interface Existing {
  text: string;
  stat: Stats;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function readExisting(path: string): Promise<Existing | undefined> {
  let bytes: Buffer;
  let stat: Stats;
  try {
    [bytes, stat] = await Promise.all([fs.readFile(path), fs.stat(path)]);
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    throw e;
  }
  try {
    // Strict decoding so that writing the text back reproduces every byte we did not edit.
    return { text: utf8.decode(bytes), stat };
  } catch (e) {
    throw new CredentialsFileError(`Refusing to rewrite ${path}: it is not valid UTF-8.`, { cause: e });
  }
}

/**
 * Temporary file in the same directory (same file system, so rename is atomic), same mode and
 * owner as the file it replaces, fsynced before the rename and the directory fsynced after.
 */
async function replaceAtomically(
  target: string,
  text: string,
  previous: Stats | undefined,
  beforeCommit: () => Promise<void>,
  newFileMode = 0o600,
): Promise<void> {
  const dir = dirname(target);
  const temp = temporaryName(target);
  const mode = previous ? previous.mode & 0o7777 : newFileMode;
  let committed = false;
  try {
    const handle = await fs.open(temp, "wx", 0o600);
    try {
      await handle.chmod(mode); // the umask must not change the mode we keep
      if (previous && (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.())) {
        await handle.chown(previous.uid, previous.gid).catch(() => undefined); // only root can; e.g. under sudo
      }
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeCommit();
    await fs.rename(temp, target);
    committed = true;
    await syncDirectory(dir);
  } finally {
    if (!committed) await fs.rm(temp, { force: true });
  }
}

/** Makes a rename durable. Some platforms (Windows) cannot open a directory; nothing to do there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (e) {
    if (!["EISDIR", "EINVAL", "EPERM", "ENOTSUP", "EACCES"].includes(errorCode(e) ?? "")) throw e;
  } finally {
    await handle?.close();
  }
}

/**
 * Temporary files that writers killed mid-write left behind (`<prefix><pid>-<hex>`). Runs under
 * the lock, so no live writer of this file is mid-write — unless its lock was broken as stale,
 * and then its commit fails anyway.
 */
async function removeLeftovers(dir: string, prefixes: readonly string[], staleMs: number): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const match = /^(\d+)-[0-9a-f]{12}$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const path = join(dir, name);
    const stat = await fs.stat(path).catch(() => undefined);
    if (!stat) continue;
    if (!processAlive(Number(match[1])) || Date.now() - stat.mtimeMs > staleMs) await fs.rm(path, { force: true });
  }
}

function errorCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
