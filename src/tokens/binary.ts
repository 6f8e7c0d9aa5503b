/**
 * Byte-level writing and reading for the claims codec. Writing rejects values the codec cannot
 * carry with a TypeError (a programming error at seal time). Reading fails with exactly one
 * error, `MalformedClaims`, whatever is wrong with its input, so the caller has one thing to catch.
 */

export class MalformedClaims extends Error {
  constructor(reason: string) {
    super(`malformed session claims: ${reason}`);
    this.name = "MalformedClaims";
  }
}

/** Longest UTF-8 text field: a 256-character MFA serial of 4-byte characters. Keeps tokens bounded. */
export const MAX_TEXT_BYTES = 1024;
/** Times are ms since the epoch in 6 bytes: enough until the year 10889. */
const TIME_BYTES = 6;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// fatal: invalid UTF-8 is malformed rather than silently replaced; ignoreBOM: a leading U+FEFF
// is part of the text and must survive the round trip.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Writer {
  private readonly parts: Buffer[] = [];

  u8(value: number): void {
    this.parts.push(Buffer.of(value));
  }

  /** An unsigned big-endian integer of `size` bytes (at most 6). */
  uint(value: number, size: number, field: string): void {
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * size)) {
      throw new TypeError(`${field} does not fit in ${size} bytes`);
    }
    const out = Buffer.alloc(size);
    out.writeUIntBE(value, 0, size);
    this.parts.push(out);
  }

  time(value: number, field: string): void {
    this.uint(value, TIME_BYTES, field);
  }

  bytes(value: Buffer): void {
    this.parts.push(value);
  }

  /** UTF-8 with a 2-byte length. Lone surrogates are refused: they would not come back unchanged. */
  text(value: string, field: string, maxBytes: number = MAX_TEXT_BYTES): void {
    if (!value.isWellFormed()) throw new TypeError(`${field} is not well-formed Unicode`);
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > maxBytes) throw new TypeError(`${field} is longer than ${maxBytes} bytes`);
    this.uint(bytes.length, 2, field);
    this.parts.push(bytes);
  }

  /** Base32 ([A-Z2-7]) text packed 5 bits a character; the last byte's spare bits are zero. */
  base32(value: string, field: string): void {
    const out = Buffer.alloc(Math.ceil((value.length * 5) / 8));
    let acc = 0;
    let bits = 0;
    let i = 0;
    for (const ch of value) {
      const digit = BASE32.indexOf(ch);
      if (digit < 0) throw new TypeError(`${field} is not base32`);
      acc = (acc << 5) | digit;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[i++] = (acc >>> bits) & 0xff;
      }
      acc &= (1 << bits) - 1;
    }
    if (bits > 0) out[i] = (acc << (8 - bits)) & 0xff;
    this.parts.push(out);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class Reader {
  private offset = 0;

  constructor(private readonly input: Buffer) {}

  take(size: number): Buffer {
    if (size > this.input.length - this.offset) throw new MalformedClaims("truncated");
    const out = this.input.subarray(this.offset, this.offset + size);
    this.offset += size;
    return out;
  }

  u8(): number {
    return this.take(1).readUInt8(0);
  }

  uint(size: number): number {
    return this.take(size).readUIntBE(0, size);
  }

  time(): number {
    return this.uint(TIME_BYTES);
  }

  text(maxBytes: number = MAX_TEXT_BYTES): string {
    const size = this.uint(2);
    if (size > maxBytes) throw new MalformedClaims("text too long");
    const bytes = this.take(size);
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new MalformedClaims("invalid UTF-8");
    }
  }

  /** `chars` base32 characters; spare bits must be zero so each value has one encoding. */
  base32(chars: number): string {
    let acc = 0;
    let bits = 0;
    let out = "";
    for (const byte of this.take(Math.ceil((chars * 5) / 8))) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5 && out.length < chars) {
        bits -= 5;
        out += BASE32[(acc >>> bits) & 31];
      }
      acc &= (1 << bits) - 1;
    }
    if (acc !== 0) throw new MalformedClaims("non-zero padding bits");
    return out;
  }

  /** Trailing bytes are malformed too: one byte string per claim set. */
  end(): void {
    if (this.offset !== this.input.length) throw new MalformedClaims("trailing bytes");
  }
}
