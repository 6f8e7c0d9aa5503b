/**
 * S3's additional checksums (s3-spec §6.2-6.3): CRC32, CRC32C, CRC64NVME, SHA1, SHA256, each
 * written as base64 of its big-endian bytes (`x-amz-checksum-crc32: DUoRhQ==`). They live beside
 * SigV4 because an aws-chunked body carries them in its trailer, which the chunked decoder
 * checks as the body streams; s3/ uses the same functions for the x-amz-checksum-* headers.
 *
 * Incremental, pure, no dependency: node:zlib's crc32 where this Node has it (20.15+), a table
 * otherwise; CRC32C and CRC64NVME are table-driven here (Node has neither).
 */
import { createHash, type Hash } from "node:crypto";
import * as zlib from "node:zlib";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Digest sizes in bytes: what a well-formed base64 value must decode to. */
const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** `x-amz-checksum-crc32` for CRC32, and so on: the header (or trailer) that carries it. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm an `x-amz-checksum-*` header (any case) names, if it names one. */
export function checksumAlgorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.toLowerCase();
  if (!lower.startsWith("x-amz-checksum-")) return undefined;
  const algorithm = lower.slice("x-amz-checksum-".length).toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm) ? (algorithm as ChecksumAlgorithm) : undefined;
}

/**
 * Is `value` a checksum S3 would accept for `algorithm`: canonical base64 (padding included)
 * of exactly the digest's size? Buffer's base64 decoder skips junk, so the text is checked too.
 */
export function isValidChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  const bytes = DIGEST_BYTES[algorithm];
  if (value.length !== Math.ceil(bytes / 3) * 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value, "base64");
  return decoded.length === bytes && decoded.toString("base64") === value;
}

/** An incremental checksum: feed pieces in any split, then read the base64 value once. */
export interface Checksum {
  readonly algorithm: ChecksumAlgorithm;
  update(data: Uint8Array): void;
  /** Base64 of the big-endian digest, as S3 writes it. */
  digest(): string;
}

// ---------------------------------------------------------------------------------------------
// CRC-32 family (reflected), slicing-by-8 tables.

/** Eight 256-entry tables for a reflected 32-bit polynomial (T[0] is the classic table). */
function crc32Tables(reflectedPoly: number): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

/** Continue a reflected CRC-32 over `data`. `crc` is the running register (already inverted). */
function crc32Update(tables: Int32Array[], crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
  ];
  let c = crc | 0;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c =
      t7[c & 0xff]! ^
      t6[(c >>> 8) & 0xff]! ^
      t5[(c >>> 16) & 0xff]! ^
      t4[c >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = (c >>> 8) ^ t0[(c ^ data[i]!) & 0xff]!;
  return c;
}

let crc32TablesCache: Int32Array[] | undefined;
let crc32cTablesCache: Int32Array[] | undefined;

/** node:zlib's crc32(data, previous) where present (Node 20.15+, 22.2+); typed loosely on purpose. */
const zlibCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

function uint32Base64(value: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b.toString("base64");
}

class Crc32Checksum implements Checksum {
  private crc = 0; // the finished value so far (zlib's convention); table code inverts around it
  constructor(
    readonly algorithm: "CRC32" | "CRC32C",
    private readonly useZlib: boolean,
  ) {}
  update(data: Uint8Array): void {
    if (this.useZlib) {
      this.crc = zlibCrc32!(data, this.crc);
      return;
    }
    const tables =
      this.algorithm === "CRC32"
        ? (crc32TablesCache ??= crc32Tables(0xedb88320))
        : (crc32cTablesCache ??= crc32Tables(0x82f63b78));
    this.crc = ~crc32Update(tables, ~this.crc, data) >>> 0;
  }
  digest(): string {
    return uint32Base64(this.crc);
  }
}

// ---------------------------------------------------------------------------------------------
// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones. The 64-bit
// register is kept as two 32-bit halves (BigInt would be two orders of magnitude slower).

let crc64Tables: { hi: Uint32Array; lo: Uint32Array } | undefined;

function crc64NvmeTables(): { hi: Uint32Array; lo: Uint32Array } {
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        h = (h ^ polyHi) >>> 0;
        l = (l ^ polyLo) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  return { hi, lo };
}

class Crc64NvmeChecksum implements Checksum {
  readonly algorithm = "CRC64NVME" as const;
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(data: Uint8Array): void {
    const { hi: thi, lo: tlo } = (crc64Tables ??= crc64NvmeTables());
    let h = this.hi;
    let l = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (l ^ data[i]!) & 0xff;
      l = ((l >>> 8) | (h << 24)) ^ tlo[idx]!;
      h = (h >>> 8) ^ thi[idx]!;
    }
    this.hi = h >>> 0;
    this.lo = l >>> 0;
  }
  digest(): string {
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32BE(~this.hi >>> 0, 0);
    b.writeUInt32BE(~this.lo >>> 0, 4);
    return b.toString("base64");
  }
}

class HashChecksum implements Checksum {
  private readonly hash: Hash;
  constructor(readonly algorithm: "SHA1" | "SHA256") {
    this.hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): string {
    return this.hash.digest("base64");
  }
}

/**
 * A new incremental checksum. `options.portable` forces the table CRC32 even where node:zlib
 * has one (for tests that compare the two).
 */
export function createChecksum(algorithm: ChecksumAlgorithm, options: { portable?: boolean } = {}): Checksum {
  switch (algorithm) {
    case "CRC32":
      return new Crc32Checksum("CRC32", zlibCrc32 !== undefined && options.portable !== true);
    case "CRC32C":
      return new Crc32Checksum("CRC32C", false);
    case "CRC64NVME":
      return new Crc64NvmeChecksum();
    case "SHA1":
    case "SHA256":
      return new HashChecksum(algorithm);
  }
}

/** The base64 checksum of `data` in one call. */
export function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const c = createChecksum(algorithm);
  c.update(data);
  return c.digest();
}
