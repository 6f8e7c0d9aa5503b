/**
 * Object bodies, beside the database (DESIGN: "object bodies in a blob store beside it"): files
 * under `<data dir>/blobs`. A body is written to a temporary file, fsynced, then renamed to its
 * id — an acknowledged PUT survives kill -9, a PUT killed half-way leaves only a temporary file,
 * which nothing names (and a start a day later removes). A blob is never changed once committed: a new
 * body is a new blob, and the record that named the old one is what the store replaces.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
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
/** A temporary file untouched this long belongs to no upload still running. */
const STALE_TEMPORARY_MS = 24 * 3600 * 1000;

export class FileBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(private readonly dir: string) {
    this.tmp = join(dir, "tmp");
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    // Left by PUTs killed half-way: never named by any record. Only old ones: the directory may be
    // shared (workers of one serve, --blob-dir) with processes whose uploads are under way.
    const stale = Date.now() - STALE_TEMPORARY_MS;
    for (const name of readdirSync(this.tmp)) {
      const file = join(this.tmp, name);
      try {
        if (statSync(file).mtimeMs < stale) rmSync(file, { force: true });
      } catch {
        // gone meanwhile
      }
    }
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

/** A new committed blob holding the given blobs' bytes in order (CopyObject, CompleteMultipartUpload). */
export async function concatenateBlobs(blobs: BlobStore, ids: readonly string[]): Promise<string> {
  const writer = await blobs.create();
  try {
    for (const id of ids) for await (const chunk of blobs.read(id)) await writer.write(chunk as Buffer);
    await writer.commit();
    return writer.id;
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
