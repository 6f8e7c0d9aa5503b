/**
 * TOTP seeds and their RFC 4648 base32 text (AWS `Base32StringSeed`, spec §7.1). AWS seeds are
 * 64 base32 characters: 40 random bytes encode to exactly 64 characters with no padding.
 */
import type { Random } from "../ids.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const SEED_BYTES = 40;

/** Value of each alphabet character, −1 elsewhere; lowercase maps like uppercase. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  VALUES[ALPHABET.charCodeAt(i)] = i;
  VALUES[ALPHABET.toLowerCase().charCodeAt(i)] = i;
}

/** Uppercase RFC 4648 base32 without `=` padding (AWS seeds never need any). */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff; // at most 4 + 8 bits are ever pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export class Base32Error extends Error {
  override readonly name = "Base32Error";
}

/**
 * Decodes base32 typed or pasted by people (hardware-token seeds): whitespace is ignored,
 * lowercase is accepted and trailing `=` padding is dropped. Anything else — other characters,
 * `=` in the middle, a length no byte string encodes to, non-zero leftover bits — is an error,
 * so a mistyped seed fails loudly instead of yielding a different seed.
 */
export function base32Decode(text: string): Buffer {
  const compact = text.replace(/[ \t\r\n]/g, "").replace(/=+$/, "");
  const out = Buffer.alloc(Math.floor((compact.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (let i = 0; i < compact.length; i++) {
    const code = compact.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : -1;
    if (value < 0) {
      throw new Base32Error(`invalid base32 character ${JSON.stringify(compact[i])} at position ${i} (allowed: A-Z, 2-7)`);
    }
    buffer = ((buffer << 5) | value) & 0x1fff; // at most 7 + 5 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = (buffer >>> bits) & 0xff;
    }
  }
  // Valid encodings end with 0, 2, 4, 1 or 3 leftover bits (lengths ≡ 0, 2, 4, 5, 7 mod 8).
  if (bits >= 5) throw new Base32Error(`invalid base32 length ${compact.length}`);
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new Base32Error("invalid base32: non-zero trailing bits");
  return out;
}

export function newSeed(random: Random): { bytes: Buffer; base32: string } {
  const bytes = random.bytes(SEED_BYTES);
  if (bytes.length !== SEED_BYTES) throw new Error(`Random.bytes returned ${bytes.length} bytes, wanted ${SEED_BYTES}`);
  return { bytes, base32: base32Encode(bytes) };
}
