/**
 * Where audit records go: a file (appended, private: 0600) or stdout (`-`). Writing never holds
 * up a response: a record is queued and written after, lines queued meanwhile in one write.
 * `close` writes what is queued first, so a clean shutdown loses nothing.
 */
import { mkdir, open, stat, chmod, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

export interface AuditSink {
  /** Queues one record's JSON line (without its newline) and returns at once. */
  write(line: string): void;
  /** Writes out everything queued, then closes. Later writes are dropped. */
  close(): Promise<void>;
}

/** The default audit log's name in the data directory. */
export const AUDIT_FILE = "audit.log";

/** `-`: stdout. */
export const STDOUT = "-";

/** Opening the audit log failed: a line a user can act on. */
export class AuditLogError extends Error {}

/** Queues lines and writes them in order, one write at a time. */
class QueuedSink implements AuditSink {
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly out: (text: string) => Promise<void>,
    private readonly end: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  write(line: string): void {
    if (this.closed) return;
    this.queue.push(line);
    this.kick();
  }

  /** Starts a drain unless one is running; lines queued as one ends start the next. */
  private kick(): void {
    if (this.writing !== undefined) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // After the caller's turn: the response goes out first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const text = `${this.queue.join("\n")}\n`;
      this.queue = [];
      try {
        await this.out(text);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Whatever is still queued is written by the drain in flight, or by one started now.
    if (this.queue.length > 0) this.kick();
    while (this.writing !== undefined) await this.writing;
    await this.end();
  }
}

async function openFile(path: string, createDir: boolean): Promise<FileHandle> {
  try {
    if (createDir) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(path, "a", 0o600);
    // An existing log readable by others is made private: it names users, keys and addresses.
    const info = await stat(path);
    if (info.isFile() && (info.mode & 0o077) !== 0) await chmod(path, 0o600);
    return handle;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new AuditLogError(`cannot open the audit log ${path}: ${err.code ?? err.message}`);
  }
}

/**
 * Opens the audit log. `createDir`: make its directory (the data directory's default log);
 * a log named by the user must be somewhere that exists.
 */
export async function openAuditLog(target: string, onError: (e: unknown) => void, options: { createDir?: boolean } = {}): Promise<AuditSink> {
  if (target === STDOUT) {
    const out = (text: string) =>
      new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
    return new QueuedSink(out, async () => {}, onError);
  }
  const handle = await openFile(target, options.createDir === true);
  return new QueuedSink((text) => handle.appendFile(text), () => handle.close(), onError);
}
