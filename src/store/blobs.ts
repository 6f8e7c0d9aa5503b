/**
 * Object bodies, beside the database (DESIGN: "object bodies in a blob store beside it"): files
 * under `<data dir>/blobs`. A body is written to a temporary file, fsynced, then renamed to its
 * id — an acknowledged PUT survives kill -9, a PUT killed half-way leaves only a temporary file,
 * which nothing names (and the next start removes). A blob is never changed once committed: a new
 * body is a new blob, and the record that named the old one is what the store replaces.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, readdirSync, rmSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";

export interface BlobWriter {
  /** The id the blob will have once committed. */
  readonly id: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Durable and visible under `id` when this resolves. */
  commit(): Promise<void>;
  /** Removes what was written; safe to call after a failed write. */
  abort(): Promise<void>;
}

export interface BlobStore {
  create(): Promise<BlobWriter>;
  /** The blob's bytes, or its bytes from `start` to `end` inclusive. */
  read(id: string, range?: { start: number; end: number }): Readable;
  delete(id: string): Promise<void>;
}

const ID = /^[0-9a-f]{32}$/;

export class FileBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(private readonly dir: string) {
    this.tmp = join(dir, "tmp");
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    // Left by PUTs killed half-way: never named by any record.
    for (const name of readdirSync(this.tmp)) rmSync(join(this.tmp, name), { force: true });
  }

  private pathOf(id: string): string {
    if (!ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.dir, id.slice(0, 2), id);
  }

  async create(): Promise<BlobWriter> {
    const id = randomBytes(16).toString("hex");
    const temporary = join(this.tmp, id);
    const final = this.pathOf(id);
    const file: FileHandle = await open(temporary, "wx", 0o600);
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await file.close();
      }
    };
    return {
      id,
      write: async (bytes) => {
        let done = 0;
        while (done < bytes.length) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
      },
      commit: async () => {
        await file.sync();
        await close();
        mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true, mode: 0o700 });
        await rename(temporary, final);
        // The rename is durable once the directory is: sync it too.
        const parent = await open(join(this.dir, id.slice(0, 2)), "r");
        try {
          await parent.sync();
        } finally {
          await parent.close();
        }
      },
      abort: async () => {
        await close().catch(() => {});
        await rm(temporary, { force: true });
      },
    };
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(id), range);
  }

  async delete(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }
}
